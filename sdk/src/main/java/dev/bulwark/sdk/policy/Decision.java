package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.AuthorizationError;
import java.util.List;

/**
 * The answer of a {@link ServiceAuthorizer}: allowed or not, on what basis, which policies
 * determined it, which could not be evaluated, and a one-line reason for logs that names policies
 * but never request values.
 *
 * @param allowed whether the request may proceed
 * @param basis why, as a stable code
 * @param determiningPolicies the satisfied permits of an allow, or the satisfied forbids of a deny
 *     (sorted; empty on a default deny)
 * @param errors the policies that raised an error for this request, with the engine's message
 * @param reason one line naming the basis and the policy ids, e.g. {@code allowed by [refund]}
 * @param policyVersion the version of the policy set that decided, or {@value #NO_POLICY_VERSION}
 *     when none was loaded
 */
public record Decision(
    boolean allowed,
    Basis basis,
    List<String> determiningPolicies,
    List<AuthorizationError> errors,
    String reason,
    String policyVersion) {
  /** The {@link #policyVersion} of a decision taken with no policy set loaded. */
  public static final String NO_POLICY_VERSION = "none";

  /** Copies the lists and rejects an allow on a basis that denies. */
  public Decision {
    requireNonNull(basis, "basis");
    determiningPolicies = List.copyOf(determiningPolicies);
    errors = List.copyOf(errors);
    requireNonNull(reason, "reason");
    requireNonNull(policyVersion, "policyVersion");
    if (allowed != (basis == Basis.PERMITTED)) {
      throw new IllegalArgumentException(
          "allowed: "
              + allowed
              + " with basis "
              + basis
              + " (expected: allowed only if PERMITTED)");
    }
  }

  /** A deny with no policy involved: nothing loaded, or evaluation failed. */
  static Decision failClosed(Basis basis, String reason, String policyVersion) {
    return new Decision(false, basis, List.of(), List.of(), reason, policyVersion);
  }

  /** The ids of the policies that raised errors. */
  public List<String> errorPolicies() {
    return errors.stream().map(AuthorizationError::policyId).distinct().sorted().toList();
  }

  /** What a decision rests on; stable, so alert rules and dashboards can read it. */
  public enum Basis {
    /** A permit was satisfied and no forbid was. */
    PERMITTED,
    /** A forbid was satisfied. */
    FORBIDDEN,
    /** No permit was satisfied: Cedar's default deny. */
    NO_PERMIT,
    /**
     * A forbid could not be evaluated: it might have denied, so the request is denied (stricter
     * than Cedar, which skips a policy in error).
     */
    FORBID_ERRORED,
    /** No policy set has been loaded yet: everything is denied. */
    NO_POLICIES,
    /** The engine failed on the request: denied. */
    EVALUATION_FAILED
  }
}
