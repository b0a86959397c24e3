package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an authorization request as a user types them: entity uids in Cedar syntax ({@code
 * User::"alice"}, {@code Ns::Photo::"x"}) and the context in Cedar's JSON value format.
 */
final class RequestText {
  private RequestText() {}

  /** {@code Type::"id"} as an entity uid; {@code option} names where it came from, for errors. */
  static EntityUid entityUid(String option, String text) {
    try {
      return EntityUid.parse(text.strip());
    } catch (PolicyException e) {
      throw new PlatformException(
          option + " " + text + " is not an entity uid (" + e.getMessage() + ")",
          "write it as Type::\"id\", e.g. User::\"alice\"");
    }
  }

  /**
   * A context: a JSON object in Cedar's value format, read against the action's context type when
   * there is a schema; {@code where} names it for errors.
   */
  static RecordValue context(String where, String json, EntityUid action, Optional<Schema> schema) {
    try {
      return Request.contextFromJson(json, action, schema);
    } catch (PolicyException e) {
      throw new PlatformException(
          where + ": " + e.getMessage(),
          "pass a JSON object, e.g. {\"mfa\": true}; entities as {\"__entity\": {\"type\": ...,"
              + " \"id\": ...}}, extension values as {\"__extn\": {\"fn\": ..., \"arg\": ...}}");
    }
  }

  /** A context already read as JSON (from a test file). */
  static RecordValue context(
      String where, JsonNode node, EntityUid action, Optional<Schema> schema) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return RecordValue.EMPTY;
    }
    return context(where, node.toString(), action, schema);
  }
}
