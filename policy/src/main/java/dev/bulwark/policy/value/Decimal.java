package dev.bulwark.policy.value;

/**
 * Cedar's {@code decimal}: a fixed-point number with four digits after the point, held as a long
 * count of ten-thousandths.
 */
public record Decimal(long scaled) implements ExtensionValue, Comparable<Decimal> {

  /**
   * Parses Cedar's decimal literal syntax ({@code -?[0-9]+\.[0-9]{1,4}}).
   *
   * @throws IllegalArgumentException if the text is malformed or out of range
   */
  public static Decimal parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public int compareTo(Decimal o) {
    return Long.compare(scaled, o.scaled);
  }

  @Override
  public String constructorName() {
    return "decimal";
  }

  @Override
  public String argument() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String typeName() {
    return "decimal";
  }
}
