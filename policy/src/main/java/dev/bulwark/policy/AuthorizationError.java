package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

/**
 * A policy that could not be evaluated for a request, and why. Cedar skips such a policy: an error
 * never allows, and a forbid that errors does not deny (the validator exists to rule errors out).
 *
 * @param policyId the policy that raised the error
 * @param message what went wrong
 */
public record AuthorizationError(String policyId, String message) {
  public AuthorizationError {
    requireNonNull(policyId, "policyId");
    requireNonNull(message, "message");
  }
}
