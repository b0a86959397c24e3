package dev.bulwark.policy.schema;

import dev.bulwark.policy.schema.SchemaType.Attribute;
import dev.bulwark.policy.schema.SchemaType.BoolType;
import dev.bulwark.policy.schema.SchemaType.EntityType;
import dev.bulwark.policy.schema.SchemaType.ExtensionType;
import dev.bulwark.policy.schema.SchemaType.LongType;
import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.schema.SchemaType.SetType;
import dev.bulwark.policy.schema.SchemaType.StringType;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.CedarText;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.ExtensionValue;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Whether values have the types a schema declares; problems are collected, never thrown. */
final class Conformance {
  private final Schema schema;
  private final List<String> problems;

  Conformance(Schema schema, List<String> problems) {
    this.schema = schema;
    this.problems = problems;
  }

  /** Checks {@code value}, found at {@code path}, against {@code type}. */
  void check(String path, Value value, SchemaType type) {
    switch (type) {
      case BoolType b -> expect(path, value, value instanceof BoolValue, type);
      case LongType l -> expect(path, value, value instanceof LongValue, type);
      case StringType s -> expect(path, value, value instanceof StringValue, type);
      case ExtensionType e ->
          expect(
              path,
              value,
              value instanceof ExtensionValue x && x.typeName().equals(e.extension().cedarName()),
              type);
      case EntityType e -> {
        if (expect(path, value, value instanceof EntityUid u && u.type().equals(e.name()), type)) {
          enumId(path, (EntityUid) value);
        }
      }
      case SetType s -> {
        if (expect(path, value, value instanceof SetValue, type)) {
          for (Value element : ((SetValue) value).elements()) {
            check(path + " element", element, s.element());
          }
        }
      }
      case RecordType r -> {
        if (expect(path, value, value instanceof RecordValue, type)) {
          record(path, (RecordValue) value, r);
        }
      }
    }
  }

  private void record(String path, RecordValue value, RecordType type) {
    for (Map.Entry<String, Attribute> a : new TreeMap<>(type.attributes()).entrySet()) {
      Value v = value.attributes().get(a.getKey());
      if (v == null) {
        if (a.getValue().required()) {
          problems.add(path + ": required attribute " + a.getKey() + " is missing");
        }
      } else {
        check(path + "." + a.getKey(), v, a.getValue().type());
      }
    }
    for (String name : new TreeMap<>(value.attributes()).keySet()) {
      if (!type.attributes().containsKey(name)) {
        problems.add(
            path
                + ": attribute "
                + name
                + " is not declared (expected: one of "
                + new TreeMap<>(type.attributes()).keySet()
                + ")");
      }
    }
  }

  /** Checks that {@code uid}'s id is one its type lists, if the type is enumerated. */
  void enumId(String path, EntityUid uid) {
    schema
        .entityType(uid.type())
        .flatMap(EntityTypeDef::enumIds)
        .filter(ids -> !ids.contains(uid.id()))
        .ifPresent(
            ids ->
                problems.add(
                    path
                        + ": "
                        + uid
                        + " is not one of the ids of enumerated type "
                        + uid.type()
                        + " (expected: one of "
                        + ids.stream().map(CedarText::quote).toList()
                        + ")"));
  }

  private boolean expect(String path, Value value, boolean ok, SchemaType type) {
    if (!ok) {
      problems.add(path + ": " + value + " is a " + value.typeName() + " (expected: " + type + ")");
    }
    return ok;
  }
}
