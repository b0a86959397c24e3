package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

/**
 * One header field as it travels on the wire: a name that is an RFC 9110 §5.1 token and a value
 * without CR, LF, NUL or other control characters (RFC 9110 §5.5), so it cannot split a message.
 *
 * @param name the field name, with the case it was sent or received with
 * @param value the field value without leading or trailing whitespace
 */
public record HeaderField(String name, String value) {

  /** Checks the name and value; the message names the field but never echoes its value. */
  public HeaderField {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (!Rfc9110.isToken(name)) {
      throw new IllegalArgumentException(
          "name: '" + Rfc9110.printable(name) + "' (expected: a token, RFC 9110 §5.1)");
    }
    int bad = Rfc9110.firstInvalidValueChar(value);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "value of "
              + name
              + ": character 0x"
              + Integer.toHexString(value.charAt(bad))
              + " at "
              + bad
              + " (expected: visible characters, space or tab, RFC 9110 §5.5)");
    }
    if (!value.isEmpty()
        && (Rfc9110.isWhitespace(value.charAt(0))
            || Rfc9110.isWhitespace(value.charAt(value.length() - 1)))) {
      throw new IllegalArgumentException(
          "value of " + name + ": leading or trailing whitespace (expected: trimmed)");
    }
  }

  /**
   * Whether this field's name is {@code other}, ignoring case (field names are case-insensitive).
   */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }
}
