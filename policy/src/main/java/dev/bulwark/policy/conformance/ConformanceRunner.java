package dev.bulwark.policy.conformance;

import dev.bulwark.policy.AuthorizationError;
import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Decision;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.Response;
import dev.bulwark.policy.internal.eval.ValueJson;
import dev.bulwark.policy.value.RecordValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Runs Cedar's integration tests (cedar-policy/cedar-integration-tests: the handwritten {@code
 * tests/} and the generated {@code corpus-tests/}) against this engine: for each test file, whether
 * the policies validate against the schema as expected, and for each request the decision, the
 * determining policies and the erroring policies.
 *
 * <p>Paths inside a test are relative to the suite's root, which the runner finds by walking up
 * from the test file, so it can be pointed at the root or at any folder within it.
 */
public final class ConformanceRunner {
  private ConformanceRunner() {}

  /** Every test JSON under {@code dir}, in a stable order. */
  public static List<Path> findTests(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> isTestName(String.valueOf(p.getFileName())))
          .filter(ConformanceRunner::isTestFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entities files of the generated corpus are {@code <hash>.entities.json}: not tests. */
  private static boolean isTestName(String name) {
    return name.endsWith(".json") && !name.endsWith(".entities.json");
  }

  private static boolean isTestFile(Path p) {
    try {
      JsonNode node = ValueJson.MAPPER.readTree(p.toFile());
      return node != null && node.isObject() && node.has("requests") && node.has("policies");
    } catch (JacksonException e) {
      return false;
    }
  }

  /** Runs every test under {@code dir}; {@code progress} hears of each file as it finishes. */
  public static ConformanceReport run(Path dir, Consumer<FileResult> progress) {
    List<FileResult> results = new ArrayList<>();
    for (Path test : findTests(dir)) {
      FileResult r = runFile(test);
      results.add(r);
      progress.accept(r);
    }
    return new ConformanceReport(results);
  }

  /**
   * Runs one test file. Never throws: anything unexpected (a bug in the engine, a malformed file)
   * is a failure of that file, so one bad file cannot stop a run of thousands.
   */
  public static FileResult runFile(Path file) {
    try {
      return check(file);
    } catch (RuntimeException e) {
      return new FileResult(file, 1, List.of("unexpected " + e));
    }
  }

  private static FileResult check(Path file) {
    List<String> failures = new ArrayList<>();
    int checks = 0;
    ConformanceTest test;
    try {
      test = read(file);
    } catch (RuntimeException e) {
      return new FileResult(file, 1, List.of("cannot read the test: " + e.getMessage()));
    }
    PolicySet policies;
    try {
      policies = PolicySet.parse(Files.readString(test.policies(), StandardCharsets.UTF_8));
    } catch (PolicyException | IOException e) {
      return new FileResult(file, 1, List.of("policies do not parse: " + e.getMessage()));
    }
    SchemaSupport schema;
    try {
      schema = SchemaSupport.load(test.schema());
    } catch (RuntimeException e) {
      return new FileResult(file, 1, List.of("schema does not load: " + e.getMessage()));
    }
    checks++;
    List<String> validationErrors = schema.validate(policies);
    boolean validates = validationErrors.isEmpty();
    if (validates != test.shouldValidate()) {
      failures.add(
          "validation: expected "
              + (test.shouldValidate() ? "to pass" : "to fail")
              + " but it "
              + (validates ? "passed" : "failed: " + String.join("; ", validationErrors)));
    }
    Entities entities;
    try {
      entities = schema.entities(Files.readString(test.entities(), StandardCharsets.UTF_8));
    } catch (PolicyException | IOException e) {
      failures.add("entities do not load: " + e.getMessage());
      return new FileResult(file, checks + 1, failures);
    }
    Authorizer authorizer = Authorizer.of(policies);
    for (ExpectedRequest expected : test.requests()) {
      checks++;
      String label = "request \"" + expected.description() + "\": ";
      RecordValue context;
      try {
        context = schema.context(expected.action(), expected.context());
      } catch (RuntimeException e) {
        failures.add(label + "context does not load: " + e.getMessage());
        continue;
      }
      if (expected.validateRequest()) {
        List<String> problems =
            schema.validateRequest(
                expected.principal(), expected.action(), expected.resource(), context);
        if (!problems.isEmpty()) {
          failures.add(label + "request does not validate: " + String.join("; ", problems));
          continue;
        }
      }
      Response response =
          authorizer.isAuthorized(
              new Request(expected.principal(), expected.action(), expected.resource(), context),
              entities);
      Set<String> errors =
          response.errors().stream().map(AuthorizationError::policyId).collect(Collectors.toSet());
      if (response.decision() != expected.decision()
          || !response.determiningPolicies().equals(expected.reason())
          || !errors.equals(expected.errors())) {
        failures.add(
            label
                + "expected "
                + describe(expected.decision(), expected.reason(), expected.errors())
                + ", got "
                + describe(response.decision(), response.determiningPolicies(), errors)
                + (response.errors().isEmpty()
                    ? ""
                    : " "
                        + response.errors().stream()
                            .map(e -> e.policyId() + ": " + e.message())
                            .toList()));
      }
    }
    return new FileResult(file, checks, failures);
  }

  private static String describe(Decision d, Set<String> reason, Set<String> errors) {
    return d.name().toLowerCase(Locale.ROOT)
        + " reason="
        + new TreeSet<>(reason)
        + " errors="
        + new TreeSet<>(errors);
  }

  /** Reads a test file, resolving its paths against the suite root. */
  public static ConformanceTest read(Path file) {
    JsonNode root;
    try {
      root = ValueJson.MAPPER.readTree(file.toFile());
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + ": not JSON: " + e.getOriginalMessage(), e);
    }
    List<ExpectedRequest> requests = new ArrayList<>();
    JsonNode reqs = root.path("requests");
    for (int i = 0; i < reqs.size(); i++) {
      JsonNode r = reqs.get(i);
      String where = "requests[" + i + "]";
      requests.add(
          new ExpectedRequest(
              r.path("description").asString(where),
              ValueJson.entityUid(r.get("principal"), where + ".principal"),
              ValueJson.entityUid(r.get("action"), where + ".action"),
              ValueJson.entityUid(r.get("resource"), where + ".resource"),
              r.path("context"),
              r.path("validateRequest").asBoolean(false),
              Decision.valueOf(r.path("decision").asString("").toUpperCase(Locale.ROOT)),
              strings(r.path("reason")),
              errorIds(r.path("errors"))));
    }
    return new ConformanceTest(
        file,
        resolve(file, root.path("policies").asString()),
        resolve(file, root.path("entities").asString()),
        resolve(file, root.path("schema").asString()),
        root.path("shouldValidate").asBoolean(true),
        requests);
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  /** Older test files list errors as objects with a {@code policyId}; newer ones as plain ids. */
  private static Set<String> errorIds(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.isObject() ? n.path("policyId").asString() : n.asString()));
    return out;
  }

  private static Path resolve(Path testFile, String relative) {
    if (relative.isEmpty()) {
      throw new IllegalArgumentException(testFile + ": a path is missing");
    }
    for (Path dir = testFile.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        testFile + ": cannot find " + relative + " above the test file");
  }

  /** The outcome of one test file. */
  public record FileResult(Path file, int checks, List<String> failures) {
    public FileResult {
      failures = List.copyOf(failures);
    }

    /** Whether every check of the file passed. */
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  /** The outcome of a run: a file passes when every check in it does. */
  public record ConformanceReport(List<FileResult> files) {
    public ConformanceReport {
      files = List.copyOf(files);
    }

    /** Files whose every check passed. */
    public long passed() {
      return files.stream().filter(FileResult::passed).count();
    }

    /** Files with at least one failed check. */
    public long failed() {
      return files.size() - passed();
    }
  }
}
