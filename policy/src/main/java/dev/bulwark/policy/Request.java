package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.eval.EntityJson;
import dev.bulwark.policy.internal.eval.ExpectedType;
import dev.bulwark.policy.internal.eval.SchemaHints;
import dev.bulwark.policy.internal.eval.ValueJson;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.Value;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

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

  /**
   * Reads a request context from JSON. With a schema, values are read as the action's context type
   * declares them (an {@code ipaddr} may be written as a plain string); without one, as written.
   *
   * @throws PolicyException {@code REQUEST_INVALID} naming the field at fault
   */
  public static RecordValue contextFromJson(
      String json, EntityUid action, Optional<Schema> schema) {
    try {
      JsonNode node = ValueJson.MAPPER.readTree(json);
      ExpectedType expected =
          schema.map(s -> new SchemaHints(s).context(action)).orElse(ExpectedType.ANY);
      return new RecordValue(EntityJson.fields(node, expected, "context"));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new PolicyException(
          PolicyException.Code.REQUEST_INVALID, "context: " + e.getMessage(), e);
    }
  }

  /** A request whose context holds the given fields. */
  public static Request of(
      EntityUid principal, EntityUid action, EntityUid resource, Map<String, Value> context) {
    return new Request(principal, action, resource, new RecordValue(context));
  }
}
