package dev.bulwark.policy.value;

/**
 * A value of one of Cedar's extension types. {@link #constructorName()} and {@link #argument()} are
 * how the value is written: {@code decimal("1.25")}, and in JSON {@code {"__extn": {"fn":
 * "decimal", "arg": "1.25"}}}.
 */
public sealed interface ExtensionValue extends Value permits Decimal, IpAddr, Datetime, Duration {

  /**
   * The constructor function's name: {@code decimal}, {@code ip}, {@code datetime}, {@code
   * duration}.
   */
  String constructorName();

  /** The string the constructor takes to rebuild this value. */
  String argument();
}
