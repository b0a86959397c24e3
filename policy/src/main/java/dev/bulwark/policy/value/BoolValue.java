package dev.bulwark.policy.value;

/** A Cedar boolean. */
public record BoolValue(boolean value) implements Value {
  public static final BoolValue TRUE = new BoolValue(true);
  public static final BoolValue FALSE = new BoolValue(false);

  /** The shared instance for {@code b}. */
  public static BoolValue of(boolean b) {
    return b ? TRUE : FALSE;
  }

  @Override
  public String typeName() {
    return "bool";
  }

  @Override
  public String toString() {
    return Boolean.toString(value);
  }
}
