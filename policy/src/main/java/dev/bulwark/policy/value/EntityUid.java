package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

/**
 * An entity's unique identifier: its type (possibly namespaced, {@code Ns::User}) and its id.
 * Written in Cedar as {@code Ns::User::"alice"}.
 */
public record EntityUid(String type, String id) implements Value {
  public EntityUid {
    requireNonNull(type, "type");
    requireNonNull(id, "id");
    if (type.isEmpty()) {
      throw new IllegalArgumentException("type: \"\" (expected: an entity type name)");
    }
  }

  /**
   * Reads Cedar's syntax for an entity uid, {@code Ns::User::"alice"}, escapes included.
   *
   * @throws dev.bulwark.policy.PolicyException {@code PARSE_ERROR} naming the column at fault
   */
  public static EntityUid parse(String text) {
    return dev.bulwark.policy.internal.parse.Parser.parseEntityUid(requireNonNull(text, "text"));
  }

  /** {@code type::"id"}. */
  public static EntityUid of(String type, String id) {
    return new EntityUid(type, id);
  }

  @Override
  public String typeName() {
    return "(entity of type `" + type + "`)";
  }

  @Override
  public String toString() {
    return type + "::" + CedarText.quote(id);
  }
}
