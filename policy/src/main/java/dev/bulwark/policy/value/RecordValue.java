package dev.bulwark.policy.value;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A Cedar record: named attributes, each with a value. */
public record RecordValue(Map<String, Value> attributes) implements Value {
  public static final RecordValue EMPTY = new RecordValue(Map.of());

  public RecordValue {
    attributes = Map.copyOf(attributes);
  }

  /** The attribute's value, if the record has it. */
  public Optional<Value> get(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  @Override
  public String typeName() {
    return "record";
  }

  @Override
  public String toString() {
    return new TreeMap<>(attributes)
        .entrySet().stream()
            .map(e -> CedarText.quote(e.getKey()) + ": " + e.getValue())
            .collect(Collectors.joining(", ", "{", "}"));
  }
}
