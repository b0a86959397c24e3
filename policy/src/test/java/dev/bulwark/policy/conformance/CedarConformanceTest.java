package dev.bulwark.policy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Cedar's public integration tests, which live beside the project in {@code
 * shared/cedar-conformance} (data we do not copy in). Every test file is one dynamic test here, so
 * a failure names the file.
 */
class CedarConformanceTest {

  static Path suite() {
    String configured = System.getProperty("cedar.conformance.dir");
    Path dir =
        configured != null
            ? Path.of(configured)
            : Path.of("")
                .toAbsolutePath()
                .getParent()
                .getParent()
                .resolve("shared/cedar-conformance");
    assertThat(dir).as("Cedar conformance suite (set -Dcedar.conformance.dir)").isDirectory();
    return dir;
  }

  @TestFactory
  Stream<DynamicTest> everyConformanceTestPasses() {
    Path suite = suite();
    return ConformanceRunner.findTests(suite).stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    suite.relativize(file).toString(),
                    () -> assertThat(ConformanceRunner.runFile(file).failures()).isEmpty()));
  }

  @org.junit.jupiter.api.Test
  void findsEveryTestFileOfTheSuite() throws Exception {
    Path suite = suite();
    long expected;
    try (Stream<Path> files = Files.walk(suite.resolve("tests"))) {
      expected = files.filter(p -> p.toString().endsWith(".json")).count();
    }
    assertThat(ConformanceRunner.findTests(suite)).hasSize((int) expected);
  }
}
