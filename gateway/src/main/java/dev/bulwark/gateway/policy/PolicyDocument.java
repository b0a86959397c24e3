package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.ValidationResult;
import dev.bulwark.policy.Validator;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.schema.SchemaException;
import java.util.Optional;

/**
 * A policy set that has been checked and may go live: its Cedar text, its optional schema, and the
 * parsed policies (named by their {@code @id} annotations). Only {@link #parse} creates one, so a
 * document that exists is one that passed every check; a bad set never gets this far and so never
 * replaces a good one.
 */
public final class PolicyDocument {
  /**
   * The gateway's reference policy, also its behaviour when no policy is configured: a caller whose
   * token was verified for the route's audience may use the route. It reproduces what the gateway
   * did before route policies existed, so a platform without policies of its own keeps working.
   */
  public static final String REFERENCE_POLICY =
      """
      // Authenticated callers may use every route whose audience their token was issued for.
      @id("authenticated-audience")
      permit (principal, action, resource is Route)
      when { context.audiences.contains(resource.audience) };
      """;

  private final String policies;
  private final Optional<String> schema;
  private final PolicySet parsed;

  private PolicyDocument(String policies, Optional<String> schema, PolicySet parsed) {
    this.policies = policies;
    this.schema = schema;
    this.parsed = parsed;
  }

  /**
   * Parses and validates {@code policies} (against {@code schema} when given).
   *
   * @throws PolicyException {@code PARSE_ERROR}, {@code DUPLICATE_POLICY_ID}, {@code
   *     SCHEMA_INVALID} or {@code VALIDATION_FAILED}, its message naming the fault
   */
  public static PolicyDocument parse(String policies, Optional<String> schema) {
    requireNonNull(policies, "policies");
    requireNonNull(schema, "schema");
    PolicySet parsed = PolicySet.parseNamed(policies);
    schema.ifPresent(text -> validateAgainstSchema(parsed, text));
    return new PolicyDocument(policies, schema, parsed);
  }

  /** The reference policy, parsed. */
  public static PolicyDocument reference() {
    return parse(REFERENCE_POLICY, Optional.empty());
  }

  // Strict validation, as Cedar's validator: a set that would raise type errors never goes live.
  private static void validateAgainstSchema(PolicySet parsed, String schema) {
    Schema declared;
    try {
      declared = Schema.parseCedar(schema);
    } catch (SchemaException e) {
      throw new PolicyException(
          PolicyException.Code.SCHEMA_INVALID, "schema: " + e.getMessage(), e);
    }
    ValidationResult result = Validator.validate(parsed, declared);
    if (!result.isValid()) {
      throw new PolicyException(
          PolicyException.Code.VALIDATION_FAILED, String.join("; ", result.problems()));
    }
  }

  /** The Cedar text as written. */
  public String policies() {
    return policies;
  }

  /** The Cedar schema text, if the set has one. */
  public Optional<String> schema() {
    return schema;
  }

  /** The parsed policies. */
  public PolicySet policySet() {
    return parsed;
  }

  @Override
  public String toString() {
    return "PolicyDocument[" + parsed.size() + " policies]";
  }
}
