package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

/** Caller-supplied text made safe to echo in messages and audit records. */
final class Printable {
  private Printable() {}

  /** At most {@code max} characters of {@code value}, anything but printable ASCII as '?'. */
  static String of(String value, int max) {
    requireNonNull(value, "value");
    String cut = value.length() > max ? value.substring(0, max) + "..." : value;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
