package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.AuthorizationError;
import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Decision;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.Response;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code bulwark policy test FILE}: requests with the answers the policies must give, in one YAML
 * file (JSON, being YAML, works too) — the policy author's unit tests. See docs/policy.md for the
 * format.
 */
@Command(
    name = "test",
    description = {
      "Run a policy test file (YAML): its requests against its policies, entities and schema,",
      "each checked against the expected decision and, where given, the determining policies.",
      "Prints each failure and 'N passed, M failed'. Exit status: 0 all passed, 1 any failed."
    },
    mixinStandardHelpOptions = true)
final class PolicyTestCommand implements Callable<Integer> {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      description = "The test file, e.g. examples/policies/payments.test.yaml.")
  Path file;

  @Override
  public Integer call() {
    JsonNode root = readTestFile();
    // Paths in a test file are relative to it.
    Path testFile = file.toAbsolutePath();
    PolicySources sources =
        PolicySources.read(
            testFile.resolveSibling(required(root, "policies", "the test file").asString()));
    Optional<Path> schemaFile = optionalPath(root, "schema", testFile);
    PolicySet policies = PolicyCommand.checked(sources, schemaFile.orElse(null)).require();
    Optional<Schema> schema = SchemaCheck.read(schemaFile);
    Entities entities =
        optionalPath(root, "entities", testFile)
            .map(p -> SchemaCheck.entities(p, schema))
            .orElse(Entities.empty());
    Authorizer authorizer = Authorizer.of(policies);
    JsonNode tests = root.path("tests");
    if (!tests.isArray() || tests.isEmpty()) {
      throw new PlatformException(
          file + ": no tests (expected: a 'tests' list)",
          "add at least one test; see docs/policy.md");
    }
    PrintWriter out = spec.commandLine().getOut();
    int passed = 0;
    int failed = 0;
    for (int i = 0; i < tests.size(); i++) {
      Optional<String> failure = run(tests.get(i), i, authorizer, entities, schema);
      if (failure.isEmpty()) {
        passed++;
      } else {
        failed++;
        out.println("FAIL " + failure.get());
      }
    }
    out.printf("%d passed, %d failed%n", passed, failed);
    return failed == 0 ? 0 : 1;
  }

  // A failure's description, naming the test; empty when the test passes.
  private Optional<String> run(
      JsonNode test, int index, Authorizer authorizer, Entities entities, Optional<Schema> schema) {
    String name = test.path("name").asString("tests[" + index + "]");
    String where = "tests[" + index + "]";
    EntityUid action =
        RequestText.entityUid(where + ".action", required(test, "action", where).asString());
    Request request =
        new Request(
            RequestText.entityUid(
                where + ".principal", required(test, "principal", where).asString()),
            action,
            RequestText.entityUid(
                where + ".resource", required(test, "resource", where).asString()),
            RequestText.context(where + ".context", test.get("context"), action, schema));
    Decision expected = decision(required(test, "decision", where).asString(), where);
    Optional<Set<String>> expectedDetermining =
        test.has("determining") ? Optional.of(strings(test.get("determining"))) : Optional.empty();
    Response response = authorizer.isAuthorized(request, entities);
    Set<String> determining = new TreeSet<>(response.determiningPolicies());
    boolean decisionOk = response.decision() == expected;
    boolean determiningOk = expectedDetermining.map(determining::equals).orElse(true);
    if (decisionOk && determiningOk) {
      return Optional.empty();
    }
    StringBuilder message =
        new StringBuilder(name)
            .append(": expected ")
            .append(lower(expected))
            .append(expectedDetermining.map(d -> " by " + d).orElse(""))
            .append(", got ")
            .append(lower(response.decision()))
            .append(" by ")
            .append(determining);
    for (AuthorizationError e : response.errors()) {
      message.append("; error in ").append(e.policyId()).append(": ").append(e.message());
    }
    return Optional.of(message.toString());
  }

  private JsonNode readTestFile() {
    String text = PolicySources.readText(file, "test file");
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      throw new PlatformException(
          file + " is not YAML: " + e.getOriginalMessage(),
          "fix the test file; see docs/policy.md");
    }
    if (root == null || !root.isObject()) {
      throw new PlatformException(
          file + " is not a test file (expected: a map with policies and tests)",
          "see docs/policy.md for the format");
    }
    return root;
  }

  private JsonNode required(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.asString("").isEmpty()) {
      throw new PlatformException(
          file + ": " + where + " has no '" + field + "'", "add it; see docs/policy.md");
    }
    return value;
  }

  private static Optional<Path> optionalPath(JsonNode root, String field, Path testFile) {
    JsonNode value = root.get(field);
    return value == null || value.isNull()
        ? Optional.empty()
        : Optional.of(testFile.resolveSibling(value.asString()));
  }

  private Decision decision(String text, String where) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "allow" -> Decision.ALLOW;
      case "deny" -> Decision.DENY;
      default ->
          throw new PlatformException(
              file + ": " + where + ".decision is " + text + " (expected: allow or deny)",
              "write allow or deny");
    };
  }

  private static Set<String> strings(JsonNode list) {
    Set<String> out = new TreeSet<>();
    if (list.isArray()) {
      list.forEach(n -> out.add(n.asString()));
    } else {
      out.add(list.asString());
    }
    return out;
  }

  private static String lower(Decision d) {
    return d.name().toLowerCase(Locale.ROOT);
  }
}
