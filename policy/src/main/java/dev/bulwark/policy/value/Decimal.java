package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

/**
 * Cedar's {@code decimal}: a fixed-point number with four digits after the point, held as a long
 * count of ten-thousandths.
 *
 * <p>Equality and ordering are by value, so {@code decimal("1.0") == decimal("1.0000")} and {@code
 * decimal("-0.0") == decimal("0.0")} (Cedar reference, "Operators and functions: decimal").
 *
 * @param scaled the value times 10,000
 */
public record Decimal(long scaled) implements ExtensionValue, Comparable<Decimal> {
  private static final int FRACTION_DIGITS = 4;
  private static final long SCALE = 10_000L;
  private static final String EXPECTED =
      " (expected: -?[0-9]+\\.[0-9]{1,4} within ±922337203685477.5807)";

  /**
   * Parses Cedar's decimal literal syntax ({@code -?[0-9]+\.[0-9]{1,4}}).
   *
   * <p>The sign comes from the leading {@code -}, not from the integer part, so {@code "-0.5"} is
   * minus one half (Cedar fixed this in 4.x; older releases read it as plus one half).
   *
   * @throws IllegalArgumentException if the text is malformed, has more than four fractional
   *     digits, or does not fit a signed 64-bit count of ten-thousandths
   */
  public static Decimal parse(String text) {
    requireNonNull(text, "text");
    boolean negative = text.startsWith("-");
    int integerStart = negative ? 1 : 0;
    int dot = text.indexOf('.');
    if (dot <= integerStart
        || !allAsciiDigits(text, integerStart, dot)
        || dot + 1 >= text.length()
        || !allAsciiDigits(text, dot + 1, text.length())) {
      throw new IllegalArgumentException("decimal: " + CedarText.quote(text) + EXPECTED);
    }
    int fractionLength = text.length() - dot - 1;
    if (fractionLength > FRACTION_DIGITS) {
      throw new IllegalArgumentException(
          "decimal: "
              + CedarText.quote(text)
              + " (expected: at most "
              + FRACTION_DIGITS
              + " digits after the point)");
    }
    try {
      long integerPart = Long.parseLong(text.substring(0, dot));
      long fraction = Long.parseLong(text.substring(dot + 1));
      for (int i = fractionLength; i < FRACTION_DIGITS; i++) {
        fraction *= 10;
      }
      long whole = Math.multiplyExact(integerPart, SCALE);
      return new Decimal(
          negative ? Math.subtractExact(whole, fraction) : Math.addExact(whole, fraction));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "decimal: " + CedarText.quote(text) + " overflows" + EXPECTED, e);
    }
  }

  private static boolean allAsciiDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Orders by numeric value, as Cedar's {@code lessThan} and its siblings do. */
  @Override
  public int compareTo(Decimal o) {
    return Long.compare(scaled, o.scaled);
  }

  @Override
  public String constructorName() {
    return "decimal";
  }

  /**
   * The shortest text {@link #parse} reads back to this value, e.g. {@code "-0.05"}, {@code "1.0"}.
   */
  @Override
  public String argument() {
    long integerPart = Math.abs(scaled / SCALE);
    StringBuilder fraction =
        new StringBuilder(Long.toString(Math.abs(scaled % SCALE) + SCALE).substring(1));
    while (fraction.length() > 1 && fraction.charAt(fraction.length() - 1) == '0') {
      fraction.setLength(fraction.length() - 1);
    }
    return (scaled < 0 ? "-" : "") + integerPart + "." + fraction;
  }

  @Override
  public String typeName() {
    return "decimal";
  }

  /** The value as Cedar writes it: {@code decimal("1.25")}. */
  @Override
  public String toString() {
    return constructorName() + "(" + CedarText.quote(argument()) + ")";
  }
}
