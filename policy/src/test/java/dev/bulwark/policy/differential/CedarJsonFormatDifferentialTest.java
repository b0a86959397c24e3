package dev.bulwark.policy.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.schema.Schema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Cedar's JSON formats checked against the official Cedar: the generated schema, policies and
 * templates are converted to JSON by cedar-wasm itself ({@code schemaToJson}, {@code policyToJson},
 * {@code templateToJson}), Cedar answers for the JSON forms, and this engine reads them with {@link
 * Schema#parseJson} and {@link PolicySet#fromJson} (links included) and must give the same
 * validation, decisions, determining and erroring policies.
 *
 * <p>{@code -Dcedar.diff.json.cases=N} (default 200) and {@code -Dcedar.diff.seed=S} choose the
 * cases, as in {@link CedarDifferentialTest}. The cases include the forms of the two disagreements
 * this test found and the engine now agrees on: {@code has} tests as attribute paths ({@code e has
 * a.b}, see {@link #attributePathInHasIsReadFromJson}) and schemas with resolved builtin type names
 * (see {@link #builtinTypeNamesAreReadFromJsonSchema}).
 */
class CedarJsonFormatDifferentialTest {
  /** Whether to generate the forms of the disagreements found so far (on unless turned off). */
  private static final boolean KNOWN = !"false".equals(System.getProperty("cedar.diff.json.known"));

  @Test
  void jsonSchemasAndPoliciesAnswerAsInCedar() throws Exception {
    List<GeneratedCase> cases =
        CaseGenerator.fromProperties(
            "cedar.diff.json.cases", 200, new CaseGenerator.Options(0.7, 0.25, true, KNOWN));
    CedarOracle oracle = CedarOracle.beside(Path.of("").toAbsolutePath());
    assertThat(oracle.missing()).as("the Cedar oracle must be runnable").isEmpty();

    List<JsonNode> answers = oracle.answer(cases, true, KNOWN);

    List<String> failures = disagreements(cases, answers);

    assertThat(failures).as("disagreements with Cedar").isEmpty();
  }

  /**
   * Disagreement found by this test (seed 3 with {@code cedar.diff.json.known}): Cedar 4 writes
   * {@code e has a.b} in JSON as {@code {"has": {"left": e, "attr": ["a", "b"]}}} (cedar-wasm
   * 4.13's {@code HasAttrRepr}: {@code attr} is a name or a non-empty array of names), and Cedar
   * reads that back; {@link PolicySet#fromJson} refuses it ("has.attr: expected a string"),
   * although {@link PolicySet#parse} reads the Cedar text {@code principal has r.a}. Fails until
   * the engine reads the array form.
   */
  @Test
  void attributePathInHasIsReadFromJson() throws Exception {
    GeneratedCase c =
        userViewsUser(
            -3,
            "{r?: {a?: Long}}",
            "{\"r\": {\"a\": 1}}",
            "permit (principal, action, resource) when { principal has r.a };");
    List<JsonNode> answers = answeredInJson(c, false);

    assertThat(disagreements(List.of(c), answers)).as("disagreements with Cedar").isEmpty();
  }

  /**
   * Disagreement found by this test (seed 70000 with {@code cedar.diff.json.known}): in a JSON
   * schema, {@code {"type": "Bool"}} or {@code {"type": "decimal"}} names a type that is neither a
   * JSON type keyword nor a declared common type; Cedar resolves such a name as a common type first
   * and then as the built-in type of that name ({@code __cedar::Bool}, {@code __cedar::decimal}),
   * and its own {@code schemaToJsonWithResolvedTypes} writes schemas so. {@link Schema#parseJson}
   * refuses them ("undeclared common type Bool (expected: a declared common type)"). Fails until
   * the engine falls back to the built-in types.
   */
  @Test
  void builtinTypeNamesAreReadFromJsonSchema() throws Exception {
    GeneratedCase c =
        userViewsUser(
            -4,
            "{b: Bool, d: decimal, n: Long, s: String}",
            "{\"b\": true, \"d\": {\"__extn\": {\"fn\": \"decimal\", \"arg\": \"1.5\"}},"
                + " \"n\": 1, \"s\": \"a\"}",
            "permit (principal, action, resource) when { principal.b &&"
                + " principal.d.greaterThan(decimal(\"1.0\")) };");
    List<JsonNode> answers = answeredInJson(c, true);
    assertThat(answers.getFirst().path("schemaJson").toString())
        .as("Cedar writes built-in type names")
        .contains("{\"type\":\"Bool\"}");

    assertThat(disagreements(List.of(c), answers)).as("disagreements with Cedar").isEmpty();
  }

  /** One user {@code User::"u"} with {@code attrs} asking to view itself under one policy. */
  private static GeneratedCase userViewsUser(long seed, String shape, String attrs, String policy) {
    tools.jackson.databind.node.ObjectNode user = ValueWriter.NODES.objectNode();
    user.set("uid", ValueWriter.uid("User", "u"));
    user.set("attrs", tools.jackson.databind.json.JsonMapper.shared().readTree(attrs));
    user.set("parents", ValueWriter.NODES.arrayNode());
    return new GeneratedCase(
        seed,
        "entity User = "
            + shape
            + ";\naction \"view\" appliesTo { principal: [User], resource: [User] };\n",
        ValueWriter.NODES.arrayNode().add(user),
        List.of(policy),
        true,
        List.of(
            new GeneratedCase.GenRequest(
                ValueWriter.uid("User", "u"),
                ValueWriter.uid("Action", "view"),
                ValueWriter.uid("User", "u"),
                ValueWriter.NODES.objectNode())));
  }

  /** Cedar's answer in JSON form for a case Cedar allows. */
  private static List<JsonNode> answeredInJson(GeneratedCase c, boolean resolvedTypes)
      throws Exception {
    List<JsonNode> answers =
        CedarOracle.beside(Path.of("").toAbsolutePath()).answer(List.of(c), true, resolvedTypes);
    assertThat(answers.getFirst().path("requests").path(0).path("decision").asString())
        .as("Cedar allows")
        .isEqualTo("allow");
    return answers;
  }

  private static List<String> disagreements(List<GeneratedCase> cases, List<JsonNode> answers) {
    List<String> failures = new ArrayList<>();
    int valid = 0;
    for (int i = 0; i < cases.size(); i++) {
      GeneratedCase c = cases.get(i);
      JsonNode answer = answers.get(i);
      assertThat(answer.path("validation").path("failure").asBoolean())
          .as("Cedar converts and reads case %d: %s", c.seed(), answer.path("validation"))
          .isFalse();
      valid += answer.path("validation").path("valid").asBoolean() ? 1 : 0;
      List<String> found =
          EngineCheck.disagreements(
              c,
              answer,
              () -> PolicySet.fromJson(answer.path("policySetJson").toString()),
              () -> Schema.parseJson(answer.path("schemaJson").toString()));
      if (!found.isEmpty()) {
        failures.add(
            String.join("\n", found)
                + "\n--- schema JSON\n"
                + answer.path("schemaJson")
                + "\n--- policies JSON\n"
                + answer.path("policySetJson"));
      }
    }
    System.out.printf(
        "Cedar JSON-format differential: %d cases (%d validate per Cedar), %s, %d cases disagree%n",
        cases.size(), valid, RequestShares.of(answers), failures.size());
    failures.forEach(System.out::println);
    return failures;
  }
}
