package dev.bulwark.policy.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Templates and their links checked against the official Cedar: Cedar's integration-test format has
 * no links, so cedar-wasm is asked directly (templates and links in its policy-set object) and this
 * engine links with {@link PolicySet#link} and answers with the {@code Authorizer}: the same
 * validation, decision, determining policies (link ids for a linked template) and erroring
 * policies.
 *
 * <p>{@code -Dcedar.diff.templates.cases=N} (default 200) and {@code -Dcedar.diff.seed=S} choose
 * the cases, as in {@link CedarDifferentialTest}.
 */
class CedarTemplateDifferentialTest {
  @Test
  void linkedTemplatesAnswerAsInCedar() throws Exception {
    List<GeneratedCase> cases =
        CaseGenerator.fromProperties(
            "cedar.diff.templates.cases", 200, new CaseGenerator.Options(0.8, 0.5, false, true));
    assertThat(cases.stream().mapToInt(c -> c.links().size()).sum())
        .as("links generated")
        .isGreaterThan(cases.size() / 2);

    List<String> failures = disagreements(cases);

    assertThat(failures).as("disagreements with Cedar").isEmpty();
  }

  /**
   * Links Cedar refuses (a slot left empty or one the template lacks, an unknown template, an id
   * already taken) are refused here too, with {@code LINK_INVALID}, so a bad link never becomes a
   * policy that answers differently.
   */
  @Test
  void linksCedarRefusesAreRefused() throws Exception {
    String schema =
        "entity User;\nentity Doc;\n"
            + "action \"view\" appliesTo { principal: [User], resource: [Doc] };\n";
    String template =
        "permit (principal == ?principal, action == Action::\"view\", resource in ?resource);";
    tools.jackson.databind.node.ObjectNode user = ValueWriter.uid("User", "u");
    tools.jackson.databind.node.ObjectNode doc = ValueWriter.uid("Doc", "d");
    List<GeneratedCase.Link> bad =
        List.of(
            link("policy0", "l", Map.of("?principal", user)),
            link("policy0", "l", Map.of("?principal", user, "?resource", doc, "?other", doc)),
            link("policy9", "l", Map.of("?principal", user, "?resource", doc)),
            link("policy0", "policy1", Map.of("?principal", user, "?resource", doc)),
            link("policy0", "policy0", Map.of("?principal", user, "?resource", doc)));
    GeneratedCase.GenRequest view =
        new GeneratedCase.GenRequest(
            user, ValueWriter.uid("Action", "view"), doc, ValueWriter.NODES.objectNode());
    List<GeneratedCase> cases = new ArrayList<>();
    for (GeneratedCase.Link l : bad) {
      cases.add(
          new GeneratedCase(
              -1,
              schema,
              ValueWriter.NODES.arrayNode(),
              List.of(template, "forbid (principal, action, resource) when { false };"),
              java.util.Set.of("policy0"),
              List.of(l),
              false,
              List.of(view)));
    }
    CedarOracle oracle = CedarOracle.beside(Path.of("").toAbsolutePath());
    List<JsonNode> answers = oracle.answer(cases);

    for (int i = 0; i < cases.size(); i++) {
      GeneratedCase c = cases.get(i);
      assertThat(answers.get(i).path("requests").path(0).has("failure"))
          .as("Cedar refuses link %s", c.links())
          .isTrue();
      assertThatThrownBy(() -> linked(c))
          .as("link %s", c.links())
          .isInstanceOfSatisfying(
              dev.bulwark.policy.PolicyException.class,
              e ->
                  assertThat(e.code())
                      .isEqualTo(dev.bulwark.policy.PolicyException.Code.LINK_INVALID));
    }
  }

  private static GeneratedCase.Link link(
      String templateId, String newId, Map<String, tools.jackson.databind.node.ObjectNode> values) {
    tools.jackson.databind.node.ObjectNode v = ValueWriter.NODES.objectNode();
    new java.util.TreeMap<>(values).forEach(v::set);
    return new GeneratedCase.Link(templateId, newId, v);
  }

  static List<String> disagreements(List<GeneratedCase> cases) throws Exception {
    CedarOracle oracle = CedarOracle.beside(Path.of("").toAbsolutePath());
    assertThat(oracle.missing()).as("the Cedar oracle must be runnable").isEmpty();
    List<JsonNode> answers = oracle.answer(cases);
    List<String> failures = new ArrayList<>();
    int valid = 0;
    for (int i = 0; i < cases.size(); i++) {
      GeneratedCase c = cases.get(i);
      JsonNode answer = answers.get(i);
      valid += answer.path("validation").path("valid").asBoolean() ? 1 : 0;
      failures.addAll(
          EngineCheck.disagreements(
              c, answer, () -> linked(c), () -> Schema.parseCedar(c.schema())));
    }
    System.out.printf(
        "Cedar template differential: %d cases (%d validate per Cedar), %d templates, %d links,"
            + " %s, %d disagreements%n",
        cases.size(),
        valid,
        cases.stream().mapToInt(c -> c.templateIds().size()).sum(),
        cases.stream().mapToInt(c -> c.links().size()).sum(),
        RequestShares.of(answers),
        failures.size());
    failures.forEach(System.out::println);
    return failures;
  }

  /** The case's policies and templates read as one text, then its links made. */
  private static PolicySet linked(GeneratedCase c) {
    PolicySet set = PolicySet.parse(c.policies());
    for (GeneratedCase.Link l : c.links()) {
      Map<String, EntityUid> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> v : l.values().properties()) {
        values.put(
            v.getKey(),
            EntityUid.of(v.getValue().path("type").asString(), v.getValue().path("id").asString()));
      }
      set = set.link(l.templateId(), l.newId(), values);
    }
    return set;
  }
}
