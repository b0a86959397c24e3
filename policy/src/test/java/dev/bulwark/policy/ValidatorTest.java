package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.schema.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidatorTest {
  static final Schema SCHEMA =
      Schema.parseCedar(
          """
          entity Role enum ["finance", "support"];
          entity Team;
          entity User in [Team, Role] = { name: String, level: Long, manager?: User, email?: String };
          entity Payment = { owner: User, amount: Long, currency: String } tags String;
          action read, refund appliesTo { principal: [User], resource: [Payment],
              context: { mfa: Bool, ip: ipaddr, limit?: Long } };
          action admin appliesTo { principal: [User], resource: [Team], context: {} };
          action readOnly;
          action audit in [readOnly] appliesTo { principal: [User], resource: [Payment], context: { mfa: Bool, ip: ipaddr } };
          """);

  static ValidationResult check(String policy) {
    return Validator.validate(PolicySet.parse(policy), SCHEMA);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "permit(principal in Role::\"finance\", action == Action::\"refund\", resource) when { context.mfa && resource.amount < 100 };",
        "permit(principal, action, resource is Payment) when { resource.owner == principal || principal in Team::\"ops\" };",
        "permit(principal, action == Action::\"read\", resource) when { principal has manager && principal.manager.level > principal.level };",
        "permit(principal, action == Action::\"read\", resource) when { context has limit && resource.amount <= context.limit };",
        "permit(principal, action == Action::\"read\", resource) when { context.ip.isInRange(ip(\"10.0.0.0/8\")) };",
        "permit(principal, action == Action::\"read\", resource) when { resource.hasTag(\"region\") && resource.getTag(\"region\") == \"eu\" };",
        "permit(principal, action in Action::\"readOnly\", resource) when { context.mfa };",
        "permit(principal, action, resource) when { if principal has email then principal.email like \"*@corp\" else false };",
        "forbid(principal, action, resource) unless { context has mfa && context.mfa };",
        "permit(principal == ?principal, action == Action::\"read\", resource) when { resource.amount > 0 };",
        "permit(principal, action == Action::\"admin\", resource) when { principal == User::\"a\" && [1, 2].contains(principal.level) };",
        "permit(principal, action == Action::\"read\", resource) when { false };",
      })
  void acceptsWellTypedPolicies(String policy) {
    assertThat(check(policy).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "permit(principal, action == Action::\"admin\", resource is Payment);",
        "permit(principal is Payment, action, resource) when { principal.nope };",
      })
  void warnsOfButAcceptsAScopeNoDeclaredActionFits(String policy) {
    ValidationResult result = check(policy);
    assertThat(result.errors()).isEmpty();
    assertThat(result.warnings()).singleElement().asString().contains("impossible policy");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // undeclared names
        "permit(principal == Admin::\"a\", action, resource);",
        "permit(principal, action == Action::\"delete\", resource);",
        "permit(principal in Role::\"ceo\", action, resource);",
        "permit(principal, action, resource) when { resource.nope == 1 };",
        // an optional attribute read without `has`
        "permit(principal, action == Action::\"read\", resource) when { principal.manager.level > 1 };",
        "permit(principal, action == Action::\"read\", resource) when { resource.amount <= context.limit };",
        // operand types
        "permit(principal, action == Action::\"read\", resource) when { resource.amount < \"100\" };",
        "permit(principal, action == Action::\"read\", resource) when { resource.currency == 1 };",
        "permit(principal, action == Action::\"read\", resource) when { resource.amount };",
        "permit(principal, action == Action::\"read\", resource) when { context.ip.lessThan(decimal(\"1.0\")) };",
        "permit(principal, action == Action::\"read\", resource) when { ip(context.ip) == context.ip };",
        "permit(principal, action == Action::\"read\", resource) when { decimal(\"1.23456\") == decimal(\"1.0\") };",
        "permit(principal, action == Action::\"read\", resource) when { [].contains(1) };",
        "permit(principal, action == Action::\"read\", resource) when { [1, \"a\"].contains(1) };",
        "permit(principal, action == Action::\"read\", resource) when { if context.mfa then 1 else \"a\" };",
        "permit(principal, action == Action::\"read\", resource) when { resource.getTag(\"region\") == \"eu\" };",
        "permit(principal, action == Action::\"read\", resource) when { principal in [User::\"a\", Team::\"t\"] };",
        // records compare only if each attribute is optional on both sides or required on both
        "permit(principal, action == Action::\"read\", resource) when { context == {mfa: true, ip: ip(\"1.1.1.1\"), limit: 1} };",
      })
  void rejectsPoliciesThatCouldErrOrNeverApply(String policy) {
    ValidationResult result = check(policy);
    assertThat(result.isValid()).as(policy).isFalse();
    assertThat(result.errors()).allSatisfy(e -> assertThat(e.policyId()).isEqualTo("policy0"));
  }
}
