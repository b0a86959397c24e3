package dev.bulwark.policy.value;

/** A Cedar long: a signed 64-bit integer whose arithmetic fails on overflow instead of wrapping. */
public record LongValue(long value) implements Value {
  @Override
  public String typeName() {
    return "long";
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
