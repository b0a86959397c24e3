package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * Cedar's {@code duration}: a signed span of milliseconds, written like {@code 1d2h3m4s5ms}.
 *
 * @param millis the span in milliseconds
 */
public record Duration(long millis) implements ExtensionValue, Comparable<Duration> {
  static final long MILLIS_PER_SECOND = 1_000L;
  static final long MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
  static final long MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;
  static final long MILLIS_PER_DAY = 24 * MILLIS_PER_HOUR;

  private static final String[] UNITS = {"d", "h", "m", "s", "ms"};
  private static final long[] UNIT_MILLIS = {
    MILLIS_PER_DAY, MILLIS_PER_HOUR, MILLIS_PER_MINUTE, MILLIS_PER_SECOND, 1
  };
  private static final int MS = 4;

  /** A quantity of 20 or more significant digits is at least 10^19, past any 64-bit count. */
  private static final int MAX_QUANTITY_DIGITS = 19;

  private static final String EXPECTED =
      " (expected: an optional '-' then quantity-unit pairs such as 1d2h3m4s5ms, units d, h, m, s,"
          + " ms in that order, each at most once)";

  /**
   * Parses Cedar's duration syntax: {@code -?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?}
   * with at least one pair.
   *
   * <p>The total must fit a signed 64-bit count of milliseconds; as in Cedar the minus sign applies
   * to the whole, so {@code -9223372036854775808ms} is accepted while its positive counterpart is
   * an overflow (Cedar reference, "Operators and functions: duration").
   *
   * @throws IllegalArgumentException if the text is malformed or overflows
   */
  public static Duration parse(String text) {
    requireNonNull(text, "text");
    boolean negative = text.startsWith("-");
    int pos = negative ? 1 : 0;
    if (pos == text.length()) {
      throw new IllegalArgumentException("duration: " + CedarText.quote(text) + EXPECTED);
    }
    BigInteger total = BigInteger.ZERO;
    int previousUnit = -1;
    while (pos < text.length()) {
      int start = pos;
      while (pos < text.length() && isAsciiDigit(text.charAt(pos))) {
        pos++;
      }
      int unit = unitAt(text, pos);
      if (pos == start || unit == UNITS.length || unit <= previousUnit) {
        throw new IllegalArgumentException("duration: " + CedarText.quote(text) + EXPECTED);
      }
      String digits = stripLeadingZeros(text.substring(start, pos));
      if (digits.length() > MAX_QUANTITY_DIGITS) {
        throw overflow(text);
      }
      total = total.add(new BigInteger(digits).multiply(BigInteger.valueOf(UNIT_MILLIS[unit])));
      previousUnit = unit;
      pos += UNITS[unit].length();
    }
    if (negative) {
      total = total.negate();
    }
    if (total.bitLength() > 63) {
      throw overflow(text);
    }
    return new Duration(total.longValueExact());
  }

  /** The index in {@link #UNITS} of the unit starting at {@code pos}, or 5 if there is none. */
  private static int unitAt(String text, int pos) {
    if (text.startsWith("ms", pos)) {
      return MS;
    }
    if (pos < text.length()) {
      for (int i = 0; i < MS; i++) {
        if (text.charAt(pos) == UNITS[i].charAt(0)) {
          return i;
        }
      }
    }
    return UNITS.length;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String stripLeadingZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  private static IllegalArgumentException overflow(String text) {
    return new IllegalArgumentException(
        "duration: "
            + CedarText.quote(text)
            + " overflows (expected: a total between -9223372036854775808ms and"
            + " 9223372036854775807ms)");
  }

  /** The span in milliseconds (Cedar's {@code toMilliseconds}). */
  public long toMilliseconds() {
    return millis;
  }

  /** Whole seconds, truncated toward zero (Cedar's {@code toSeconds}). */
  public long toSeconds() {
    return millis / MILLIS_PER_SECOND;
  }

  /** Whole minutes, truncated toward zero (Cedar's {@code toMinutes}). */
  public long toMinutes() {
    return millis / MILLIS_PER_MINUTE;
  }

  /** Whole hours, truncated toward zero (Cedar's {@code toHours}). */
  public long toHours() {
    return millis / MILLIS_PER_HOUR;
  }

  /** Whole days of 24 hours, truncated toward zero (Cedar's {@code toDays}). */
  public long toDays() {
    return millis / MILLIS_PER_DAY;
  }

  /** Orders by length, negative spans first. */
  @Override
  public int compareTo(Duration o) {
    return Long.compare(millis, o.millis);
  }

  @Override
  public String constructorName() {
    return "duration";
  }

  /** Cedar's canonical form, a count of milliseconds: {@code "-3600000ms"}. */
  @Override
  public String argument() {
    return millis + "ms";
  }

  @Override
  public String typeName() {
    return "duration";
  }

  /** The value as Cedar writes it: {@code duration("90000ms")}. */
  @Override
  public String toString() {
    return constructorName() + "(" + CedarText.quote(argument()) + ")";
  }
}
