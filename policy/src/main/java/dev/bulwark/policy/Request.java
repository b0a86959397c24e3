package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.Value;
import java.util.Map;

/**
 * An authorization request: may {@code principal} do {@code action} to {@code resource}, given
 * {@code context}?
 */
public record Request(
    EntityUid principal, EntityUid action, EntityUid resource, RecordValue context) {
  public Request {
    requireNonNull(principal, "principal");
    requireNonNull(action, "action");
    requireNonNull(resource, "resource");
    requireNonNull(context, "context");
  }

  /** A request whose context holds the given fields. */
  public static Request of(
      EntityUid principal, EntityUid action, EntityUid resource, Map<String, Value> context) {
    return new Request(principal, action, resource, new RecordValue(context));
  }
}
