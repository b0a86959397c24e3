package dev.bulwark.policy.schema;

import dev.bulwark.policy.schema.SchemaType.EntityType;
import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.schema.SchemaType.SetType;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Fixtures: schemas from test resources and Cedar's conformance suite, and JSON data as values. */
final class TestSchemas {
  static final Path CONFORMANCE = Path.of("/work/shared/cedar-conformance");
  static final JsonMapper JSON = JsonMapper.builder().build();

  private TestSchemas() {}

  static String resource(String name) {
    try (InputStream in = TestSchemas.class.getResourceAsStream("/schema/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /schema/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String conformance(String relative) {
    try {
      return Files.readString(CONFORMANCE.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Schema photoFlash() {
    return Schema.parseCedar(resource("photoflash.cedarschema"));
  }

  static EntityUid uid(JsonNode node) {
    JsonNode n = node.has("__entity") ? node.get("__entity") : node;
    return EntityUid.of(n.get("type").stringValue(), n.get("id").stringValue());
  }

  /**
   * Reads Cedar's JSON value syntax the way Cedar does with a schema at hand: an object where the
   * schema expects an entity is an entity reference. Extension values are not read.
   */
  static Value value(JsonNode node, Optional<SchemaType> expected) {
    if (node.isBoolean()) {
      return BoolValue.of(node.booleanValue());
    }
    if (node.isIntegralNumber()) {
      return new LongValue(node.longValue());
    }
    if (node.isString()) {
      return new StringValue(node.stringValue());
    }
    if (node.isArray()) {
      Optional<SchemaType> element =
          expected.filter(SetType.class::isInstance).map(t -> ((SetType) t).element());
      List<Value> values = new ArrayList<>();
      node.forEach(v -> values.add(value(v, element)));
      return SetValue.of(values);
    }
    if (node.has("__entity") || expected.filter(EntityType.class::isInstance).isPresent()) {
      return uid(node);
    }
    return record(node, expected.filter(RecordType.class::isInstance).map(RecordType.class::cast));
  }

  static RecordValue record(JsonNode node, Optional<RecordType> expected) {
    Map<String, Value> attrs = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      attrs.put(
          e.getKey(),
          value(
              e.getValue(),
              expected.flatMap(r -> r.attribute(e.getKey())).map(SchemaType.Attribute::type)));
    }
    return new RecordValue(attrs);
  }
}
