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
 * cases, as in {@link CedarDifferentialTest}.
 */
class CedarJsonFormatDifferentialTest {
  @Test
  void jsonSchemasAndPoliciesAnswerAsInCedar() throws Exception {
    List<GeneratedCase> cases =
        CaseGenerator.fromProperties(
            "cedar.diff.json.cases", 200, new CaseGenerator.Options(0.7, 0.25, true));
    CedarOracle oracle = CedarOracle.beside(Path.of("").toAbsolutePath());
    assertThat(oracle.missing()).as("the Cedar oracle must be runnable").isEmpty();

    List<JsonNode> answers = oracle.answer(cases, true);

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
    assertThat(failures).as("disagreements with Cedar").isEmpty();
  }
}
