package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

/** A Cedar string. */
public record StringValue(String value) implements Value {
  public StringValue {
    requireNonNull(value, "value");
  }

  @Override
  public String typeName() {
    return "string";
  }

  @Override
  public String toString() {
    return CedarText.quote(value);
  }
}
