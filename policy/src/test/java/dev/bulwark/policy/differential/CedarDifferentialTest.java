package dev.bulwark.policy.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.conformance.ConformanceRunner;
import dev.bulwark.policy.conformance.ConformanceRunner.ConformanceReport;
import dev.bulwark.policy.conformance.ConformanceRunner.FileResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Differential test against the official Cedar implementation: random cases (schema, entities,
 * policies, requests) are answered by cedar-wasm, written as Cedar integration tests in the layout
 * of the generated corpus, and run through {@link ConformanceRunner}, so any difference between
 * this engine and Cedar (validation, decision, determining or erroring policies) fails here.
 *
 * <p>{@code -Dcedar.diff.cases=N} (default 300) and {@code -Dcedar.diff.seed=S} (default 1) choose
 * the cases; case {@code i} is generated from seed {@code S + i}, so one failing case can be rerun
 * alone with {@code -Dcedar.diff.seed=<its seed> -Dcedar.diff.cases=1}. {@code
 * -Dcedar.diff.out=DIR} keeps the written tests. {@code -Dcedar.diff.aimed=F} (default 0.7) is the
 * share of requests aimed at a policy's scope (its action, the entity it names or a descendant);
 * the rest are random.
 */
class CedarDifferentialTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path temp;

  @Test
  void engineAgreesWithCedarOnGeneratedCases() throws Exception {
    String out = System.getProperty("cedar.diff.out", "");
    List<GeneratedCase> cases =
        CaseGenerator.fromProperties(
            "cedar.diff.cases",
            300,
            new CaseGenerator.Options(
                Double.parseDouble(System.getProperty("cedar.diff.aimed", "0.7")),
                0.0,
                false,
                true));
    List<String> failures =
        disagreements(cases, out.isEmpty() ? temp : Files.createDirectories(Path.of(out)));
    assertThat(failures).as("disagreements with Cedar").isEmpty();
  }

  /**
   * The smallest cases showing each disagreement the generated cases found, so that each one has a
   * name: a scope that no action of the schema fits (Cedar: a warning, the policy validates) and
   * equality between records whose attributes differ in being optional (Cedar: no least upper
   * bound, the policy does not validate).
   */
  @Test
  void engineAgreesWithCedarOnMinimalCases() throws Exception {
    String schema =
        "entity User = {r: {a: Long, b?: Bool}};\n"
            + "action \"group\";\n"
            + "action \"view\" appliesTo { principal: [User], resource: [User] };\n";
    ObjectNode user = ValueWriter.NODES.objectNode();
    user.set("uid", ValueWriter.uid("User", "u"));
    user.set("attrs", JSON.readTree("{\"r\": {\"a\": 1, \"b\": true}}"));
    user.set("parents", ValueWriter.NODES.arrayNode());
    ArrayNode entities = ValueWriter.NODES.arrayNode().add(user);
    GeneratedCase.GenRequest view =
        new GeneratedCase.GenRequest(
            ValueWriter.uid("User", "u"),
            ValueWriter.uid("Action", "view"),
            ValueWriter.uid("User", "u"),
            ValueWriter.NODES.objectNode());
    List<GeneratedCase> cases =
        List.of(
            new GeneratedCase(
                -1,
                schema,
                entities,
                List.of("permit (principal, action in Action::\"group\", resource);"),
                true,
                List.of(view)),
            new GeneratedCase(
                -2,
                schema,
                entities,
                List.of(
                    "permit (principal, action == Action::\"view\", resource)\n"
                        + "when { principal.r == {a: 1, b: true} };"),
                false,
                List.of(view)));
    assertThat(disagreements(cases, temp)).as("disagreements with Cedar").isEmpty();
  }

  /** Runs the cases through Cedar and then, as corpus tests, through this engine. */
  private static List<String> disagreements(List<GeneratedCase> cases, Path root) throws Exception {
    CedarOracle oracle = CedarOracle.beside(Path.of("").toAbsolutePath());
    assertThat(oracle.missing()).as("the Cedar oracle must be runnable").isEmpty();
    List<JsonNode> answers = oracle.answer(cases);
    Map<Path, GeneratedCase> byFile = new HashMap<>();
    int valid = 0;
    for (int i = 0; i < cases.size(); i++) {
      byFile.put(
          CorpusWriter.write(root, cases.get(i), answers.get(i)).toAbsolutePath(), cases.get(i));
      valid += answers.get(i).path("validation").path("valid").asBoolean() ? 1 : 0;
    }

    ConformanceReport report = ConformanceRunner.run(root, r -> {});
    List<String> failures = new ArrayList<>();
    int checks = 0;
    int failedChecks = 0;
    for (FileResult r : report.files()) {
      checks += r.checks();
      failedChecks += r.failures().size();
      if (!r.passed()) {
        failures.add(describe(r, byFile.get(r.file().toAbsolutePath())));
      }
    }
    System.out.printf(
        "Cedar differential: %d cases (%d validate per Cedar), %s, %d checks, %d disagree"
            + " (agreement %.2f%%), %d of %d cases disagree somewhere%n",
        cases.size(),
        valid,
        RequestShares.of(answers),
        checks,
        failedChecks,
        checks == 0 ? 0.0 : 100.0 * (checks - failedChecks) / checks,
        report.failed(),
        report.files().size());
    failures.forEach(System.out::println);
    assertThat(report.files()).as("every case is found by the runner").hasSize(cases.size());
    return failures;
  }

  @Test
  void sameSeedGivesTheSameCase() {
    GeneratedCase a = CaseGenerator.generate(42);
    GeneratedCase b = CaseGenerator.generate(42);
    assertThat(b.policies()).isEqualTo(a.policies());
    assertThat(b.schema()).isEqualTo(a.schema());
    assertThat(b.entities()).isEqualTo(a.entities());
    assertThat(b.requests()).isEqualTo(a.requests());
    assertThat(CaseGenerator.generate(43).policies()).isNotEqualTo(a.policies());
  }

  private static String describe(FileResult r, GeneratedCase c) throws java.io.IOException {
    StringBuilder s = new StringBuilder("\n=== disagreement in ").append(r.file().getFileName());
    if (c != null) {
      s.append(" (seed ").append(c.seed()).append(")");
    }
    s.append('\n');
    r.failures().forEach(f -> s.append("  ").append(f).append('\n'));
    String test = Files.readString(r.file(), StandardCharsets.UTF_8);
    if (c != null) {
      s.append("--- policies\n")
          .append(c.policies())
          .append("--- schema\n")
          .append(c.schema())
          .append("--- entities\n")
          .append(c.entities())
          .append('\n');
    }
    return s.append("--- test\n").append(test).toString();
  }
}
