package dev.bulwark.policy.internal.eval;

import java.util.Map;

/**
 * What a schema says a JSON value should be, as far as reading it needs: with a schema, Cedar
 * accepts {@code {"type": "User", "id": "alice"}} for an entity and {@code "10.0.0.1"} for an
 * {@code ipaddr} without the {@code __entity} / {@code __extn} escapes.
 */
public sealed interface ExpectedType {

  /** Nothing known: read the value as it is written. */
  record Any() implements ExpectedType {}

  /** An entity reference. */
  record EntityRef() implements ExpectedType {}

  /** An extension value built by the named constructor ({@code ip}, {@code decimal}, ...). */
  record Extension(String constructor) implements ExpectedType {}

  /** A set whose elements are of this type. */
  record SetOf(ExpectedType element) implements ExpectedType {}

  /**
   * A record whose attributes are of these types; attributes not listed are read as {@link Any}.
   */
  record RecordOf(Map<String, ExpectedType> attributes) implements ExpectedType {
    public RecordOf {
      attributes = Map.copyOf(attributes);
    }
  }

  ExpectedType ANY = new Any();
}
