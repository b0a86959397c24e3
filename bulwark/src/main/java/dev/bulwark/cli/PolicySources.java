package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Policy files as the {@code bulwark policy} commands read them: one {@code .cedar} file, or every
 * {@code .cedar} file under a folder in path order, each parsed on its own so that a problem is
 * named by {@code file:line:col}.
 *
 * <p>Policies of several files form one set, named as Cedar names the policies of the files read
 * one after the other: by their {@code @id("...")} annotation, else {@code policy0}, {@code
 * policy1}, ... in that order.
 *
 * @param files the policy files read, in order
 * @param policies the policy set, when every file parsed
 * @param problems each problem as {@code file:line:col: message}; empty when the set is usable
 */
record PolicySources(List<Path> files, Optional<PolicySet> policies, List<String> problems) {
  static final String CEDAR_EXTENSION = ".cedar";

  PolicySources {
    files = List.copyOf(files);
    problems = List.copyOf(problems);
  }

  /** Reads a policy file or folder; missing or unreadable input is a {@link PlatformException}. */
  static PolicySources read(Path fileOrFolder) {
    List<Path> files = policyFiles(fileOrFolder);
    List<String> problems = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    for (Path file : files) {
      String text = readText(file, "policy file");
      if (file.toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
        // The engine reads Cedar syntax only so far; a JSON policy file is named, not skipped.
        problems.add(file + ": Cedar's JSON policy format is not supported yet (expected: .cedar)");
        continue;
      }
      try {
        PolicySet.parse(text);
      } catch (PolicyException e) {
        problems.add(file + ":" + e.getMessage());
        continue;
      }
      all.append(text).append('\n');
    }
    if (!problems.isEmpty()) {
      return new PolicySources(files, Optional.empty(), problems);
    }
    try {
      return new PolicySources(files, Optional.of(PolicySet.parseNamed(all.toString())), List.of());
    } catch (PolicyException e) {
      // Each file parsed alone, so what is left is a clash of @id annotations between files.
      return new PolicySources(
          files, Optional.empty(), List.of(fileOrFolder + ": " + e.getMessage()));
    }
  }

  /** The policy set, or a {@link PlatformException} naming the first problem. */
  PolicySet require() {
    return policies.orElseThrow(
        () ->
            new PlatformException(
                problems.getFirst()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
                "see every problem with 'bulwark policy validate --policies "
                    + (files.size() == 1 ? files.getFirst() : "DIR")
                    + "'"));
  }

  private static List<Path> policyFiles(Path fileOrFolder) {
    if (Files.isRegularFile(fileOrFolder)) {
      return List.of(fileOrFolder);
    }
    if (!Files.isDirectory(fileOrFolder)) {
      throw new PlatformException(
          "no policy file or folder at " + fileOrFolder, "pass a .cedar file or a folder of them");
    }
    try (Stream<Path> walk = Files.walk(fileOrFolder)) {
      List<Path> files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(CEDAR_EXTENSION))
              .sorted()
              .toList();
      if (files.isEmpty()) {
        throw new PlatformException(
            "no " + CEDAR_EXTENSION + " files under " + fileOrFolder,
            "pass a .cedar file or a folder that holds some");
      }
      return files;
    } catch (IOException e) {
      throw new PlatformException(
          "cannot list " + fileOrFolder + ": " + e.getMessage(), "check the folder's permissions");
    }
  }

  /** A UTF-8 text file the user named; {@code what} says what it should be, for the error. */
  static String readText(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PlatformException(
          "cannot read the " + what + " " + file + ": " + e.getMessage(),
          "check that the file exists and is readable");
    }
  }
}
