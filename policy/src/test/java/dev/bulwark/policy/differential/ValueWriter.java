package dev.bulwark.policy.differential;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random values of a generated type, both as entity/context JSON and as Cedar literals, drawn from
 * small pools so that policies' literals and the data meet often.
 */
final class ValueWriter {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static final List<String> STRINGS =
      List.of(
          "",
          "a",
          "b",
          "ab",
          "ba",
          "a*b",
          "abc",
          "h\u00e9llo",
          "q\"uote",
          "back\\slash",
          "x y",
          "\uD83D\uDE00",
          "*",
          "tab\t");
  static final List<Long> LONGS =
      List.of(
          0L,
          1L,
          -1L,
          2L,
          3L,
          7L,
          10L,
          100L,
          -42L,
          4611686018427387904L,
          Long.MAX_VALUE,
          Long.MIN_VALUE);

  /**
   * Longs for entity and context data: the oracle's data crosses JavaScript, whose numbers hold
   * integers exactly only up to 2^53, so data stays within that (the extreme longs appear as policy
   * literals instead).
   */
  static final List<Long> DATA_LONGS =
      List.of(
          0L,
          1L,
          -1L,
          2L,
          3L,
          7L,
          10L,
          100L,
          -42L,
          4503599627370496L,
          9007199254740991L,
          -9007199254740991L);

  static final List<String> IPS =
      List.of(
          "10.0.0.1",
          "10.0.0.0/8",
          "192.168.1.7",
          "192.168.0.0/16",
          "127.0.0.1",
          "::1",
          "2001:db8::1",
          "2001:db8::/32",
          "224.0.0.1",
          "ff02::1",
          "0.0.0.0/0");
  static final List<String> DECIMALS =
      List.of(
          "0.0",
          "1.5",
          "-0.25",
          "3.0",
          "922337203685477.5807",
          "-922337203685477.5808",
          "0.0001",
          "12.34");
  static final List<String> DATETIMES =
      List.of(
          "2024-01-01",
          "2024-06-30T12:00:00Z",
          "1970-01-01T00:00:00.001Z",
          "2024-01-01T00:00:00+0100",
          "2023-12-31T23:59:59.999-0030",
          "1969-07-20T20:17:00Z");
  static final List<String> DURATIONS =
      List.of("0ms", "1h", "-2d3h", "90m", "1d2h3m4s5ms", "-1ms", "106751991167d", "30s");

  private final RandomGenerator rnd;
  private final GenSchema schema;

  ValueWriter(RandomGenerator rnd, GenSchema schema) {
    this.rnd = rnd;
    this.schema = schema;
  }

  GenSchema schema() {
    return schema;
  }

  <T> T pick(List<T> from) {
    return from.get(rnd.nextInt(from.size()));
  }

  /** Ids of a type's entities: three that exist (except for enums) and one that does not. */
  static List<String> ids(GenSchema.EntityDef type) {
    if (type.isEnum()) {
      return type.enumIds();
    }
    String base = GenSchema.simpleName(type.name()).toLowerCase(java.util.Locale.ROOT);
    return List.of(base + "0", base + "1", base + "2");
  }

  String entityId(String typeName, double danglingChance) {
    GenSchema.EntityDef type = schema.entity(typeName);
    if (!type.isEnum() && rnd.nextDouble() < danglingChance) {
      return GenSchema.simpleName(type.name()).toLowerCase(java.util.Locale.ROOT) + "9";
    }
    return pick(ids(type));
  }

  static ObjectNode uid(String type, String id) {
    ObjectNode n = NODES.objectNode();
    n.put("type", type);
    n.put("id", id);
    return n;
  }

  /** A JSON value of type {@code t}, as entity attributes and contexts write it. */
  JsonNode json(GenType t) {
    return switch (t) {
      case GenType.Prim p ->
          switch (p) {
            case BOOL -> NODES.booleanNode(rnd.nextBoolean());
            case LONG -> NODES.numberNode(pick(DATA_LONGS));
            case STRING -> NODES.stringNode(pick(STRINGS));
          };
      case GenType.Ext e -> {
        ObjectNode fn = NODES.objectNode();
        fn.put("fn", e.constructor());
        fn.put("arg", extLiteral(e));
        ObjectNode n = NODES.objectNode();
        n.set("__extn", fn);
        yield n;
      }
      case GenType.Ent ent -> {
        ObjectNode n = NODES.objectNode();
        n.set("__entity", uid(ent.name(), entityId(ent.name(), 0.15)));
        yield n;
      }
      case GenType.SetOf s -> {
        ArrayNode a = NODES.arrayNode();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(json(s.element()));
        }
        yield a;
      }
      case GenType.Rec r -> {
        ObjectNode o = NODES.objectNode();
        for (Map.Entry<String, GenType.Attr> e : r.attrs().entrySet()) {
          if (e.getValue().required() || rnd.nextDouble() < 0.6) {
            o.set(e.getKey(), json(e.getValue().type()));
          }
        }
        yield o;
      }
    };
  }

  String extLiteral(GenType.Ext e) {
    return switch (e) {
      case IPADDR -> pick(IPS);
      case DECIMAL -> pick(DECIMALS);
      case DATETIME -> pick(DATETIMES);
      case DURATION -> pick(DURATIONS);
    };
  }

  static String string(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }

  static String longLiteral(long v) {
    return v < 0 ? "(" + v + ")" : Long.toString(v);
  }
}
