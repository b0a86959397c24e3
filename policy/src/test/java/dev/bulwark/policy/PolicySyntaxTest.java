package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.value.EntityUid;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicySyntaxTest {
  private static final String[] POLICIES = {
    "permit(principal, action, resource);",
    "@id(\"x\") @advice(\"a \\\"q\\\" \\n\") forbid(principal == User::\"a\\u{1F600}\", action in [Action::\"a\", Ns::Action::\"b\"], resource is Ns::Doc in Folder::\"f\") when { context.x.y[\"z w\"] like \"*a\\*b*\" } unless { if principal has \"odd key\" then -(-3) * 2 - 1 >= 5 else !false };",
    "permit(principal in ?principal, action == Action::\"v\", resource == ?resource) when { [1, {a: [2]}, \"s\"].contains(principal.tags) && resource.owner != principal && ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\")) && context.d.offset(duration(\"1h\")).toDate() > datetime(\"2020-01-01\") && principal.getTag(\"k\") == 1 && [].isEmpty() && principal is User };",
  };

  @Test
  void printedPoliciesParseBackToTheSameTree() {
    for (String text : POLICIES) {
      PolicySet first = PolicySet.parse(text);
      PolicySet again = PolicySet.parse(first.toCedar());
      assertThat(again.toCedar()).isEqualTo(first.toCedar());
    }
  }

  @Test
  void jsonFormatRoundTripsPoliciesTemplatesAndLinks() {
    for (String text : POLICIES) {
      PolicySet set = PolicySet.parse(text);
      if (!set.templates().isEmpty()) {
        set =
            set.link(
                "policy0",
                "linked",
                Map.of(
                    "?principal",
                    EntityUid.of("User", "a"),
                    "?resource",
                    EntityUid.of("Doc", "d")));
      }
      PolicySet back = PolicySet.fromJson(set.toJson());
      assertThat(back.toCedar()).isEqualTo(set.toCedar());
      assertThat(back.toJson()).isEqualTo(set.toJson());
    }
  }

  @Test
  void readsCedarsJsonPolicyFormat() {
    String json =
        """
        {"effect": "permit",
         "principal": {"op": "==", "entity": {"type": "User", "id": "alice"}},
         "action": {"op": "in", "entities": [{"type": "Action", "id": "view"}]},
         "resource": {"op": "is", "entity_type": "Photo", "in": {"entity": {"type": "Album", "id": "a"}}},
         "conditions": [{"kind": "when", "body": {"&&": {"left": {"Value": true},
             "right": {"like": {"left": {".": {"left": {"Var": "resource"}, "attr": "name"}},
                                 "pattern": [{"Literal": "IMG"}, "Wildcard"]}}}}}]}
        """;
    assertThat(PolicySet.fromJson(json).toCedar())
        .contains("principal == User::\"alice\"")
        .contains("action in [Action::\"view\"]")
        .contains("resource is Photo in Album::\"a\"")
        .contains("like \"IMG*\"");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "permit(principal, action, resource)",
        "allow(principal, action, resource);",
        "permit(principal, action, resource) when { 1 < 2 < 3 };",
        "permit(principal, action, resource) when { principal.nope() };",
        "permit(principal, action, resource) when { unknownFn(1) };",
        "permit(principal, action, resource) when { 9223372036854775808 > 1 };",
        "permit(principal, action, resource) when { {a: 1, a: 2} == {} };",
        "permit(principal, action == User::\"x\", resource);",
        "permit(principal == ?resource, action, resource);",
        "permit(principal, action, resource) when { ?principal == principal };",
        "permit(principal, action, resource) when { \"\\q\" == \"\" };",
        "permit(principal, action, resource) when { !!!!!true };",
        "permit(principal, action, resource) when { };",
        "permit(principal, action, resource) when { if.x };",
        "@a(\"1\") @a(\"2\") permit(principal, action, resource);",
      })
  void rejectsMalformedPoliciesWithAPosition(String text) {
    assertThatThrownBy(() -> PolicySet.parse(text))
        .isInstanceOf(PolicyException.class)
        .hasMessageMatching("\\d+:\\d+: .+");
  }

  @Test
  void policiesKnowWhereTheyStartInTheirText() {
    PolicySet set =
        PolicySet.parse(
            "// two\npermit(principal, action, resource);\n  @id(\"x\")\n  forbid(principal, action, resource);");
    assertThat(set.policies())
        .extracting(p -> p.sourcePosition().orElseThrow())
        .containsExactly("2:1", "3:3");
    assertThat(PolicySet.fromJson(set.toJson()).policies())
        .allSatisfy(p -> assertThat(p.sourcePosition()).isEmpty());
  }

  @Test
  void parseErrorNamesLineAndColumn() {
    assertThatThrownBy(
            () -> PolicySet.parse("permit(principal, action, resource)\nwhen { principal.x == };"))
        .hasMessageStartingWith("2:23: ");
  }

  @Test
  void refusesDeeplyNestedExpressionsInsteadOfOverflowingTheStack() {
    String deep = "(".repeat(5000) + "true" + ")".repeat(5000);
    assertThatThrownBy(
            () -> PolicySet.parse("permit(principal, action, resource) when { " + deep + " };"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void refusesLongOperatorChainsThatWouldOverflowTheEvaluatorsStack() {
    String chain = "true" + " && true".repeat(100_000);
    assertThatThrownBy(
            () -> PolicySet.parse("permit(principal, action, resource) when { " + chain + " };"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("nested more than 500 levels");
    String fine = "true" + " && true".repeat(400);
    assertThat(PolicySet.parse("permit(principal, action, resource) when { " + fine + " };").size())
        .isEqualTo(1);
  }

  @Test
  void readsEntitiesJsonWithEscapesAndTags() {
    Entities e =
        Entities.fromJson(
            """
            [{"uid": {"type": "User", "id": "a"}, "attrs": {"m": {"__entity": {"type": "User", "id": "b"}},
              "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}, "r": {"type": "User", "id": "b"}},
              "parents": [{"type": "G", "id": "g"}], "tags": {"t": 1}},
             {"uid": {"type": "G", "id": "g"}, "attrs": {}, "parents": [{"type": "G", "id": "root"}]}]
            """);
    EntityUid a = EntityUid.of("User", "a");
    assertThat(e.ancestors(a))
        .containsExactlyInAnyOrder(EntityUid.of("G", "g"), EntityUid.of("G", "root"));
    assertThat(e.get(a).orElseThrow().attributes().get("m")).isEqualTo(EntityUid.of("User", "b"));
    assertThat(e.get(a).orElseThrow().attributes().get("r"))
        .as("without a schema a {type, id} object is a record")
        .isInstanceOf(dev.bulwark.policy.value.RecordValue.class);
    assertThatThrownBy(
            () ->
                Entities.fromJson(
                    "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}}, {\"uid\": {\"type\": \"U\", \"id\": \"a\"}}]"))
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> Entities.fromJson("[{\"uid\": {\"type\": \"U\"}}]"))
        .hasMessageContaining("entities[0].uid.id");
  }
}
