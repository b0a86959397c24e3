package dev.bulwark.policy.value;

/** Cedar's {@code duration}: a signed span of milliseconds, written like {@code 1d2h3m4s5ms}. */
public record Duration(long millis) implements ExtensionValue, Comparable<Duration> {

  /**
   * Parses Cedar's duration syntax.
   *
   * @throws IllegalArgumentException if the text is malformed or overflows
   */
  public static Duration parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public int compareTo(Duration o) {
    return Long.compare(millis, o.millis);
  }

  @Override
  public String constructorName() {
    return "duration";
  }

  @Override
  public String argument() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String typeName() {
    return "duration";
  }

  public long toMilliseconds() {
    throw new UnsupportedOperationException("not yet");
  }

  public long toSeconds() {
    throw new UnsupportedOperationException("not yet");
  }

  public long toMinutes() {
    throw new UnsupportedOperationException("not yet");
  }

  public long toHours() {
    throw new UnsupportedOperationException("not yet");
  }

  public long toDays() {
    throw new UnsupportedOperationException("not yet");
  }
}
