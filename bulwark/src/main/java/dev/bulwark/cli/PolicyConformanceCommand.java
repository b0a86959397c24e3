package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.conformance.ConformanceRunner;
import dev.bulwark.policy.conformance.ConformanceRunner.ConformanceReport;
import dev.bulwark.policy.conformance.ConformanceRunner.FileResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark policy conformance DIR}: Cedar's integration tests (cedar-policy/
 * cedar-integration-tests, handwritten or the generated corpus) against this engine.
 */
@Command(
    name = "conformance",
    description = {
      "Run every Cedar integration-test JSON under DIR (the handwritten tests or the generated",
      "corpus) against Bulwark's engine. Prints each failing file with why, then, as the last line,",
      "'N passed, M failed' (files). Shows progress on stderr. Exit status: 0 all passed, 1 any failed."
    },
    mixinStandardHelpOptions = true)
final class PolicyConformanceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "A folder of Cedar integration tests, or its root.")
  Path dir;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) {
      throw new PlatformException(
          "no conformance suite at " + dir,
          "pass the folder of Cedar's integration tests (e.g. ../shared/cedar-conformance)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    err.println("finding tests under " + dir + " ...");
    err.flush();
    List<Path> tests = ConformanceRunner.findTests(dir);
    if (tests.isEmpty()) {
      throw new PlatformException(
          "no Cedar integration tests under " + dir,
          "pass a folder holding test JSON files (with 'policies' and 'requests')");
    }
    List<FileResult> results = new ArrayList<>(tests.size());
    // Failures are printed after the bar closes, so the bar (stderr) and the report (stdout) do
    // not interleave on a terminal.
    try (ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName("conformance")
            .setInitialMax(tests.size())
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .build()) {
      for (Path test : tests) {
        results.add(ConformanceRunner.runFile(test));
        bar.step();
      }
    }
    ConformanceReport report = new ConformanceReport(results);
    for (FileResult r : report.files()) {
      for (String failure : r.failures()) {
        out.println("FAIL " + dir.relativize(r.file()) + ": " + failure);
      }
    }
    out.printf("%d passed, %d failed%n", report.passed(), report.failed());
    return report.failed() == 0 ? 0 : 1;
  }
}
