package dev.bulwark.policy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ConformanceRunnerTest {

  static Path fixture() throws URISyntaxException {
    return Path.of(
        Objects.requireNonNull(ConformanceRunnerTest.class.getResource("/conformance")).toURI());
  }

  @Test
  void runsTheGeneratedCorpusLayoutAndSkipsItsEntitiesFiles() throws Exception {
    assertThat(ConformanceRunner.findTests(fixture()))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("a1.json", "a2.json");
  }

  @Test
  void passesWhenDecisionReasonsErrorsAndValidationAllMatch() throws Exception {
    ConformanceRunner.FileResult r =
        ConformanceRunner.runFile(fixture().resolve("corpus-tests/a1.json"));
    assertThat(r.failures()).isEmpty();
    assertThat(r.checks()).isEqualTo(3);
  }

  @Test
  void reportsEveryMismatchOfAFailingFile() throws Exception {
    ConformanceRunner.FileResult r =
        ConformanceRunner.runFile(fixture().resolve("corpus-tests/a2.json"));
    assertThat(r.failures()).hasSize(2);
    assertThat(r.failures().get(0)).startsWith("validation: expected to pass but it failed");
    assertThat(r.failures().get(1))
        .contains(
            "expected allow reason=[policy0] errors=[], got deny reason=[policy1] errors=[policy2]");
  }

  @Test
  void countsFilesAndReportsProgressForEach() throws Exception {
    List<Path> seen = new ArrayList<>();
    ConformanceRunner.ConformanceReport report =
        ConformanceRunner.run(fixture(), r -> seen.add(r.file()));
    assertThat(seen).hasSize(2);
    assertThat(report.passed()).isEqualTo(1);
    assertThat(report.failed()).isEqualTo(1);
  }

  @Test
  void aMissingInputIsAFailureNotACrash() throws Exception {
    Path broken = java.nio.file.Files.createTempFile("conformance", ".json");
    java.nio.file.Files.writeString(broken, "{\"policies\": \"nowhere.cedar\", \"requests\": []}");
    assertThat(ConformanceRunner.runFile(broken).failures())
        .singleElement()
        .asString()
        .contains("nowhere.cedar");
  }
}
