package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.AuthorizationError;
import java.util.List;
import java.util.Set;

/**
 * The gateway's answer for one request: allowed or not, which policies decided it, which could not
 * be evaluated, and a one-line reason for logs and audit events (never shown to the caller).
 *
 * @param allowed whether the request may be forwarded
 * @param determiningPolicies the satisfied permits on an allow; the satisfied (or failed) forbids
 *     on a deny; none on a default deny
 * @param errors the policies that raised an error for this request
 * @param reason why, in one line
 * @param policyVersion the version of the policy set that decided, or {@code none}
 */
public record RouteDecision(
    boolean allowed,
    Set<String> determiningPolicies,
    List<AuthorizationError> errors,
    String reason,
    String policyVersion) {
  public RouteDecision {
    determiningPolicies = Set.copyOf(determiningPolicies);
    errors = List.copyOf(errors);
    requireNonNull(reason, "reason");
    requireNonNull(policyVersion, "policyVersion");
  }
}
