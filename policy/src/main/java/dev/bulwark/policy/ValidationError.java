package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

/**
 * Why a policy does not validate against a schema.
 *
 * @param policyId the policy or template at fault
 * @param message what is wrong, naming the type, attribute or action
 */
public record ValidationError(String policyId, String message) {
  public ValidationError {
    requireNonNull(policyId, "policyId");
    requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return policyId + ": " + message;
  }
}
