package dev.bulwark.policy.conformance;

import dev.bulwark.policy.Decision;
import dev.bulwark.policy.value.EntityUid;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A request of a conformance test with the answer Cedar gives.
 *
 * @param description what the request checks
 * @param principal the principal
 * @param action the action
 * @param resource the resource
 * @param context the context as JSON, read against the schema when the test runs
 * @param validateRequest whether the request must conform to the schema
 * @param decision the expected decision
 * @param reason the expected determining policies
 * @param errors the policies expected to raise errors
 */
public record ExpectedRequest(
    String description,
    EntityUid principal,
    EntityUid action,
    EntityUid resource,
    JsonNode context,
    boolean validateRequest,
    Decision decision,
    Set<String> reason,
    Set<String> errors) {

  public ExpectedRequest {
    reason = Set.copyOf(reason);
    errors = Set.copyOf(errors);
  }
}
