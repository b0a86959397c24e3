package dev.bulwark.policy.value;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/** A Cedar set: unordered, without duplicates, elements of any type. */
public record SetValue(Set<Value> elements) implements Value {
  public SetValue {
    elements = Set.copyOf(elements);
  }

  /** A set of the given values, duplicates removed. */
  public static SetValue of(Collection<? extends Value> values) {
    return new SetValue(new LinkedHashSet<>(values));
  }

  @Override
  public String typeName() {
    return "set";
  }

  @Override
  public String toString() {
    return elements.stream()
        .map(Value::toString)
        .sorted()
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
