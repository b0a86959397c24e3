package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
record PolicySources(
    List<Path> files,
    Optional<PolicySet> policies,
    List<String> problems,
    Map<String, String> origins) {
  static final String CEDAR_EXTENSION = ".cedar";

  PolicySources {
    files = List.copyOf(files);
    problems = List.copyOf(problems);
    origins = Map.copyOf(origins);
  }

  /** {@code problems} replaced, e.g. by what validation found. */
  PolicySources withProblems(List<String> found) {
    return new PolicySources(files, Optional.empty(), found, origins);
  }

  /**
   * Where a policy was read from, {@code file:line:col: id} (no position for JSON), for messages.
   */
  String where(String policyId) {
    String origin = origins.get(policyId);
    return origin == null ? policyId : origin + ": " + policyId;
  }

  /** Reads a policy file or folder; missing or unreadable input is a {@link PlatformException}. */
  static PolicySources read(Path fileOrFolder) {
    List<Path> files = policyFiles(fileOrFolder);
    List<String> problems = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    List<PolicySet> jsonSets = new ArrayList<>();
    Map<String, String> origins = new HashMap<>();
    int cedarPolicies = 0;
    for (Path file : files) {
      String text = readText(file, "policy file");
      try {
        if (isJson(file)) {
          PolicySet json = PolicySet.fromJson(text);
          jsonSets.add(json);
          json.policies().forEach(p -> origins.put(p.id(), file.toString()));
          json.templates().forEach(p -> origins.put(p.id(), file.toString()));
        } else {
          // Ids are given across all Cedar files at once (policyN counts from the first file).
          List<Policy> inFile = inFileOrder(PolicySet.parse(text));
          for (int i = 0; i < inFile.size(); i++) {
            Policy policy = inFile.get(i);
            String id = policy.annotations().getOrDefault("id", "policy" + (cedarPolicies + i));
            origins.put(id, file + policy.sourcePosition().map(at -> ":" + at).orElse(""));
          }
          cedarPolicies += inFile.size();
          all.append(text).append('\n');
        }
      } catch (PolicyException e) {
        problems.add(file + ":" + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      return new PolicySources(files, Optional.empty(), problems, origins);
    }
    try {
      PolicySet set = PolicySet.parseNamed(all.toString());
      for (PolicySet json : jsonSets) {
        set = set.merge(json);
      }
      return new PolicySources(files, Optional.of(set), List.of(), origins);
    } catch (PolicyException e) {
      // Each file parsed alone, so what is left is a clash of ids between files.
      return new PolicySources(
          files, Optional.empty(), List.of(fileOrFolder + ": " + e.getMessage()), origins);
    }
  }

  // Parsed ids are policy0, policy1, ... in file order, templates and policies alike.
  private static List<Policy> inFileOrder(PolicySet set) {
    List<Policy> all = new ArrayList<>(set.templates());
    all.addAll(set.policies());
    all.sort(Comparator.comparingInt(p -> Integer.parseInt(p.id().substring("policy".length()))));
    return all;
  }

  private static boolean isJson(Path file) {
    return file.toString().toLowerCase(Locale.ROOT).endsWith(".json");
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
              .filter(
                  p ->
                      p.toString().endsWith(CEDAR_EXTENSION)
                          || p.toString().endsWith(".policy.json"))
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
