package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.Datetime;
import dev.bulwark.policy.value.Decimal;
import dev.bulwark.policy.value.Duration;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.ExtensionValue;
import dev.bulwark.policy.value.IpAddr;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Cedar's JSON value format (docs.cedarpolicy.com, "Entities and context syntax"), both ways. */
public final class ValueJson {
  /** The one JSON mapper the engine reads and writes Cedar's JSON formats with. */
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private ValueJson() {}

  /**
   * Reads a value.
   *
   * @throws IllegalArgumentException naming the path and what was wrong
   */
  public static Value read(JsonNode node, ExpectedType expected, String path) {
    if (node.isObject()) {
      if (node.has("__entity")) {
        return entityUid(node.get("__entity"), path + ".__entity");
      }
      if (node.has("__extn")) {
        JsonNode extn = node.get("__extn");
        return extension(
            text(extn.get("fn"), path + ".__extn.fn"),
            text(extn.get("arg"), path + ".__extn.arg"),
            path);
      }
      if (expected instanceof ExpectedType.EntityRef) {
        return entityUid(node, path);
      }
      if (expected instanceof ExpectedType.Extension ext && node.has("fn") && node.has("arg")) {
        return extension(
            text(node.get("fn"), path + ".fn"), text(node.get("arg"), path + ".arg"), path);
      }
      Map<String, ExpectedType> types =
          expected instanceof ExpectedType.RecordOf r ? r.attributes() : Map.of();
      Map<String, Value> attributes = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String key = field.getKey();
        attributes.put(
            key,
            read(field.getValue(), types.getOrDefault(key, ExpectedType.ANY), path + "." + key));
      }
      return new RecordValue(attributes);
    }
    if (node.isArray()) {
      ExpectedType element =
          expected instanceof ExpectedType.SetOf s ? s.element() : ExpectedType.ANY;
      List<Value> elements = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        elements.add(read(node.get(i), element, path + "[" + i + "]"));
      }
      return SetValue.of(elements);
    }
    if (node.isBoolean()) {
      return BoolValue.of(node.booleanValue());
    }
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw new IllegalArgumentException(path + ": " + node + " does not fit in a 64-bit long");
      }
      return new LongValue(node.longValue());
    }
    if (node.isString()) {
      if (expected instanceof ExpectedType.Extension ext) {
        return extension(ext.constructor(), node.stringValue(), path);
      }
      return new StringValue(node.stringValue());
    }
    throw new IllegalArgumentException(
        path
            + ": "
            + node.getNodeType()
            + " is not a Cedar value (expected bool, long, string, array or object)");
  }

  /** Reads {@code {"type": ..., "id": ...}}. */
  public static EntityUid entityUid(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          path + ": expected an entity reference {\"type\": ..., \"id\": ...}");
    }
    JsonNode ref = node.has("__entity") ? node.get("__entity") : node;
    try {
      return new EntityUid(
          text(ref.get("type"), path + ".type"), text(ref.get("id"), path + ".id"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /** Builds an extension value from its constructor name and argument. */
  public static ExtensionValue extension(String fn, String arg, String path) {
    try {
      return switch (fn) {
        case "decimal" -> Decimal.parse(arg);
        case "ip", "ipaddr" -> IpAddr.parse(arg);
        case "datetime" -> Datetime.parse(arg);
        case "duration" -> Duration.parse(arg);
        default -> throw new IllegalArgumentException("unknown extension function '" + fn + "'");
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The string at {@code path}.
   *
   * @throws IllegalArgumentException naming the path if it is absent or not a string
   */
  public static String text(JsonNode node, String path) {
    if (node == null || !node.isString()) {
      throw new IllegalArgumentException(path + ": expected a string");
    }
    return node.stringValue();
  }

  /**
   * Writes a value in the explicit form (entities as {@code __entity}, extensions as {@code
   * __extn}).
   */
  public static JsonNode write(Value value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (value) {
      case BoolValue b -> f.booleanNode(b.value());
      case LongValue l -> f.numberNode(l.value());
      case StringValue s -> f.stringNode(s.value());
      case EntityUid uid -> {
        ObjectNode o = f.objectNode();
        o.set("__entity", uidNode(uid));
        yield o;
      }
      case SetValue set -> {
        var array = f.arrayNode();
        set.elements().forEach(e -> array.add(write(e)));
        yield array;
      }
      case RecordValue r -> {
        ObjectNode o = f.objectNode();
        new java.util.TreeMap<>(r.attributes()).forEach((k, v) -> o.set(k, write(v)));
        yield o;
      }
      case Datetime d when !d.hasArgument() -> {
        // No datetime string names this instant: write it as Cedar does, an offset from the epoch.
        ObjectNode o = f.objectNode();
        ObjectNode inner = o.putObject("__extn");
        inner.put("fn", "offset");
        var args = inner.putArray("args");
        args.add(write(Datetime.parse("1970-01-01")));
        args.add(write(new Duration(d.epochMillis())));
        yield o;
      }
      case ExtensionValue x -> {
        ObjectNode o = f.objectNode();
        ObjectNode inner = o.putObject("__extn");
        inner.put("fn", x.constructorName());
        inner.put("arg", x.argument());
        yield o;
      }
    };
  }

  /** {@code {"type": ..., "id": ...}}. */
  public static ObjectNode uidNode(EntityUid uid) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", uid.type());
    o.put("id", uid.id());
    return o;
  }
}
