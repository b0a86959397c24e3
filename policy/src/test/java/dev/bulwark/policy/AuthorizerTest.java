package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  static final EntityUid ALICE = EntityUid.of("User", "alice");
  static final EntityUid BOB = EntityUid.of("User", "bob");
  static final EntityUid ADMINS = EntityUid.of("Group", "admins");
  static final EntityUid STAFF = EntityUid.of("Group", "staff");
  static final EntityUid VIEW = EntityUid.of("Action", "view");
  static final EntityUid EDIT = EntityUid.of("Action", "edit");
  static final EntityUid READ = EntityUid.of("Action", "read");
  static final EntityUid DOC = EntityUid.of("Doc", "d1");
  static final EntityUid FOLDER = EntityUid.of("Folder", "f1");

  static final Entities ENTITIES =
      Entities.of(
          List.of(
              new Entity(
                  ALICE,
                  Map.of("level", new LongValue(7), "name", new StringValue("Alice")),
                  Set.of(ADMINS),
                  Map.of("team", new StringValue("blue"))),
              new Entity(BOB, Map.of("level", new LongValue(2)), Set.of(STAFF), Map.of()),
              Entity.of(ADMINS, Set.of(STAFF)),
              Entity.of(STAFF, Set.of()),
              Entity.of(VIEW, Set.of(READ)),
              Entity.of(EDIT, Set.of()),
              Entity.of(READ, Set.of()),
              new Entity(
                  DOC, Map.of("owner", BOB, "private", BoolValue.TRUE), Set.of(FOLDER), Map.of()),
              Entity.of(FOLDER, Set.of())));

  static Response decide(
      String policies,
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      Map<String, Value> context) {
    return Authorizer.of(PolicySet.parse(policies))
        .isAuthorized(Request.of(principal, action, resource, context), ENTITIES);
  }

  static Response decide(String policies, EntityUid principal) {
    return decide(policies, principal, VIEW, DOC, Map.of());
  }

  @Test
  void deniesByDefaultWhenNoPolicyApplies() {
    Response r = decide("permit(principal == User::\"bob\", action, resource);", ALICE);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.determiningPolicies()).isEmpty();
  }

  @Test
  void allowsWithTheSatisfiedPermitsAsReasons() {
    Response r =
        decide(
            "permit(principal, action, resource); permit(principal == User::\"alice\", action, resource);",
            ALICE);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.determiningPolicies()).containsExactlyInAnyOrder("policy0", "policy1");
  }

  @Test
  void forbidOverridesPermit() {
    Response r =
        decide(
            "permit(principal, action, resource); forbid(principal in Group::\"staff\", action, resource);",
            ALICE);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.determiningPolicies()).containsExactly("policy1");
  }

  @Test
  void inFollowsTheHierarchyTransitively() {
    assertThat(
            decide(
                    "permit(principal in Group::\"staff\", action in Action::\"read\", resource in Folder::\"f1\");",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThat(
            decide(
                    "permit(principal, action, resource) when { principal in [Group::\"admins\", User::\"x\"] };",
                    BOB)
                .decision())
        .isEqualTo(Decision.DENY);
  }

  @Test
  void skipsAPolicyWhoseConditionErrorsAndReportsIt() {
    Response r =
        decide(
            "permit(principal, action, resource) when { principal.missing == 1 }; permit(principal, action, resource) when { true };",
            ALICE);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.determiningPolicies()).containsExactly("policy1");
    assertThat(r.errors()).extracting(AuthorizationError::policyId).containsExactly("policy0");
  }

  @Test
  void aForbidThatErrorsDoesNotDenyButIsReported() {
    Response r =
        decide(
            "permit(principal, action, resource); forbid(principal, action, resource) when { 1 + \"a\" == 2 };",
            ALICE);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.errors()).extracting(AuthorizationError::policyId).containsExactly("policy1");
  }

  @Test
  void shortCircuitsAndOrAndIf() {
    String p =
        "permit(principal, action, resource) when { (false && principal.nope) || (true || 1) && (if true then true else 1 / 0 == 2) };";
    // "/" is not Cedar: the parser must refuse it rather than guess.
    assertThatThrownBy(() -> PolicySet.parse(p)).isInstanceOf(PolicyException.class);
    Response r =
        decide(
            "permit(principal, action, resource) when { (false && principal.nope) || ((true || 1) && (if true then true else principal.nope)) };",
            ALICE);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.errors()).isEmpty();
  }

  @Test
  void nonBooleanConditionIsATypeError() {
    Response r = decide("permit(principal, action, resource) when { 1 };", ALICE);
    assertThat(r.decision()).isEqualTo(Decision.DENY);
    assertThat(r.errors()).hasSize(1);
  }

  @Test
  void longArithmeticOverflowIsAnError() {
    Response r =
        decide("permit(principal, action, resource) when { 9223372036854775807 + 1 > 0 };", ALICE);
    assertThat(r.errors())
        .singleElement()
        .extracting(AuthorizationError::message)
        .asString()
        .contains("overflow");
    assertThat(
            decide("permit(principal, action, resource) when { -9223372036854775808 < 0 };", ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void hasIsFalseForAbsentAttributesAndMissingEntities() {
    assertThat(
            decide(
                    "permit(principal, action, resource) when { principal has level && !(principal has nope) && !(User::\"ghost\" has level) };",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThat(
            decide("permit(principal, action, resource) when { User::\"ghost\".level > 1 };", ALICE)
                .errors())
        .hasSize(1);
  }

  @Test
  void likeMatchesWildcardsAndEscapedStars() {
    assertThat(
            decide(
                    "permit(principal, action, resource) when { \"a*b.txt\" like \"a\\**.txt\" && \"abc\" like \"*\" && !(\"abc\" like \"a*d\") };",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void stringEscapesFollowCedar() {
    assertThat(
            decide(
                    "permit(principal, action, resource) when { \"\\x41\\u{42}\\t\" == \"AB\\u{9}\" };",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThatThrownBy(
            () ->
                PolicySet.parse("permit(principal, action, resource) when { \"\\x80\" == \"\" };"))
        .isInstanceOf(PolicyException.class);
  }

  @Test
  void isChecksTheEntityType() {
    assertThat(
            decide(
                    "permit(principal is User in Group::\"staff\", action, resource is Doc) when { resource is Doc in Folder::\"f1\" };",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThat(decide("permit(principal is Group, action, resource);", ALICE).decision())
        .isEqualTo(Decision.DENY);
  }

  @Test
  void setsAndRecordsCompareStructurally() {
    String p =
        "permit(principal, action, resource) when { [1, 2, 2] == [2, 1] && {a: 1, b: [true]} == {b: [true], a: 1} && [1, 2].containsAll([2]) && [1].containsAny([3, 1]) && [].isEmpty() && context.tags.contains(\"x\") };";
    assertThat(
            decide(
                    p,
                    ALICE,
                    VIEW,
                    DOC,
                    Map.of(
                        "tags",
                        dev.bulwark.policy.value.SetValue.of(List.of(new StringValue("x")))))
                .decision())
        .isEqualTo(Decision.ALLOW);
  }

  @Test
  void entityTagsAreReadWithGetTagAndHasTag() {
    assertThat(
            decide(
                    "permit(principal, action, resource) when { principal.hasTag(\"team\") && principal.getTag(\"team\") == \"blue\" && !principal.hasTag(\"x\") };",
                    ALICE)
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThat(
            decide(
                    "permit(principal, action, resource) when { principal.getTag(\"x\") == 1 };",
                    ALICE)
                .errors())
        .hasSize(1);
  }

  @Test
  void extensionFunctionsEvaluate() {
    String p =
        "permit(principal, action, resource) when { context.ip.isInRange(ip(\"10.0.0.0/8\")) && decimal(\"1.5\").lessThan(decimal(\"2.0\")) && context.now < datetime(\"2030-01-01\") && duration(\"1h\") == duration(\"60m\") };";
    Map<String, Value> ctx =
        Map.of(
            "ip",
            dev.bulwark.policy.value.IpAddr.parse("10.1.2.3"),
            "now",
            dev.bulwark.policy.value.Datetime.parse("2026-11-23T10:00:00Z"));
    assertThat(decide(p, ALICE, VIEW, DOC, ctx).decision()).isEqualTo(Decision.ALLOW);
    assertThat(
            decide(
                    "permit(principal, action, resource) when { decimal(\"1.0\") < decimal(\"2.0\") };",
                    ALICE)
                .errors())
        .as("decimals are compared by method, not <")
        .hasSize(1);
    assertThat(
            decide(
                    "permit(principal, action, resource) when { ip(\"not an ip\") == ip(\"1.1.1.1\") };",
                    ALICE)
                .errors())
        .hasSize(1);
  }

  @Test
  void templatesApplyOnlyOnceLinked() {
    PolicySet set =
        PolicySet.parse(
            "permit(principal == ?principal, action == Action::\"view\", resource in ?resource);");
    assertThat(set.policies()).isEmpty();
    assertThat(set.templates()).hasSize(1);
    PolicySet linked =
        set.link("policy0", "alice-folder", Map.of("?principal", ALICE, "?resource", FOLDER));
    Response r =
        Authorizer.of(linked).isAuthorized(Request.of(ALICE, VIEW, DOC, Map.of()), ENTITIES);
    assertThat(r.decision()).isEqualTo(Decision.ALLOW);
    assertThat(r.determiningPolicies()).containsExactly("alice-folder");
    assertThat(
            Authorizer.of(linked)
                .isAuthorized(Request.of(BOB, VIEW, DOC, Map.of()), ENTITIES)
                .decision())
        .isEqualTo(Decision.DENY);
  }

  @Test
  void rejectsLinksThatDoNotFillExactlyTheTemplatesSlots() {
    PolicySet set = PolicySet.parse("permit(principal == ?principal, action, resource);");
    assertThatThrownBy(() -> set.link("policy0", "x", Map.of())).hasMessageContaining("?principal");
    assertThatThrownBy(
            () -> set.link("policy0", "x", Map.of("?principal", ALICE, "?resource", DOC)))
        .isInstanceOf(PolicyException.class);
    assertThatThrownBy(() -> set.link("nope", "x", Map.of("?principal", ALICE)))
        .isInstanceOf(PolicyException.class);
    PolicySet once = set.link("policy0", "x", Map.of("?principal", ALICE));
    assertThatThrownBy(() -> once.link("policy0", "x", Map.of("?principal", BOB)))
        .hasMessageContaining("taken");
  }

  @Test
  void indexLeavesOnlyPoliciesWhoseScopeCanMatch() {
    StringBuilder policies = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      policies.append("permit(principal == User::\"u").append(i).append("\", action, resource);\n");
    }
    policies.append(
        "permit(principal in Group::\"staff\", action == Action::\"view\", resource);\n");
    policies.append("permit(principal, action == Action::\"edit\", resource);\n");
    Authorizer authorizer = Authorizer.of(PolicySet.parse(policies.toString()));
    Request request = Request.of(ALICE, VIEW, DOC, Map.of());
    assertThat(authorizer.candidateCount(request, ENTITIES)).isEqualTo(1);
    assertThat(authorizer.isAuthorized(request, ENTITIES).determiningPolicies())
        .containsExactly("policy100");
  }

  @Test
  void contextIsARecord() {
    Request r = Request.of(ALICE, VIEW, DOC, Map.of("mfa", BoolValue.TRUE));
    assertThat(r.context()).isEqualTo(new RecordValue(Map.of("mfa", BoolValue.TRUE)));
    assertThat(
            decide(
                    "permit(principal, action, resource) when { context.mfa };",
                    ALICE,
                    VIEW,
                    DOC,
                    Map.of("mfa", BoolValue.TRUE))
                .decision())
        .isEqualTo(Decision.ALLOW);
    assertThat(
            decide(
                    "permit(principal, action, resource) when { context.mfa };",
                    ALICE,
                    VIEW,
                    DOC,
                    Map.of())
                .errors())
        .hasSize(1);
  }

  @Test
  void namesPoliciesByTheirIdAnnotationWhenAsked() {
    PolicySet set =
        PolicySet.parseNamed(
            "@id(\"readers\") permit(principal, action, resource); permit(principal, action, resource);");
    assertThat(set.policies()).extracting(Policy::id).containsExactly("readers", "policy1");
    assertThatThrownBy(
            () ->
                PolicySet.parseNamed(
                    "@id(\"a\") permit(principal, action, resource); @id(\"a\") forbid(principal, action, resource);"))
        .isInstanceOf(PolicyException.class)
        .extracting(e -> ((PolicyException) e).code())
        .isEqualTo(PolicyException.Code.DUPLICATE_POLICY_ID);
  }
}
