package dev.bulwark.policy.value;

/** Cedar's {@code datetime}: an instant, held as milliseconds since the Unix epoch. */
public record Datetime(long epochMillis) implements ExtensionValue, Comparable<Datetime> {

  /**
   * Parses Cedar's datetime syntax ({@code 2024-10-15}, {@code 2024-10-15T11:35:00Z}, with optional
   * {@code .SSS} and {@code ±hhmm} offset).
   *
   * @throws IllegalArgumentException if the text is malformed or out of range
   */
  public static Datetime parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public int compareTo(Datetime o) {
    return Long.compare(epochMillis, o.epochMillis);
  }

  @Override
  public String constructorName() {
    return "datetime";
  }

  @Override
  public String argument() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String typeName() {
    return "datetime";
  }

  public Datetime offset(Duration d) {
    throw new UnsupportedOperationException("not yet");
  }

  public Duration durationSince(Datetime other) {
    throw new UnsupportedOperationException("not yet");
  }

  public Datetime toDate() {
    throw new UnsupportedOperationException("not yet");
  }

  public Duration toTime() {
    throw new UnsupportedOperationException("not yet");
  }
}
