package dev.bulwark.policy.schema;

import dev.bulwark.policy.schema.RawSchema.Kind;
import dev.bulwark.policy.schema.RawSchema.RawAction;
import dev.bulwark.policy.schema.RawSchema.RawActionRef;
import dev.bulwark.policy.schema.RawSchema.RawAppliesTo;
import dev.bulwark.policy.schema.RawSchema.RawAttr;
import dev.bulwark.policy.schema.RawSchema.RawCommon;
import dev.bulwark.policy.schema.RawSchema.RawEntity;
import dev.bulwark.policy.schema.RawSchema.RawName;
import dev.bulwark.policy.schema.RawSchema.RawRecord;
import dev.bulwark.policy.schema.RawSchema.RawSet;
import dev.bulwark.policy.schema.RawSchema.RawType;
import dev.bulwark.policy.value.CedarText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Cedar's JSON schema format (docs.cedarpolicy.com, "JSON schema format") into a {@link
 * RawSchema}. Unknown keys are errors, so a misspelt {@code "memberOfType"} cannot silently drop a
 * constraint. Annotations are read and dropped.
 */
final class JsonSchemaParser {
  private static final JsonMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final Set<String> NAMESPACE_KEYS =
      Set.of("entityTypes", "actions", "commonTypes", "annotations");
  private static final Set<String> ENTITY_KEYS =
      Set.of("memberOfTypes", "shape", "tags", "enum", "annotations");
  private static final Set<String> ACTION_KEYS = Set.of("memberOf", "appliesTo", "annotations");
  private static final Set<String> APPLIES_KEYS =
      Set.of("principalTypes", "resourceTypes", "context");
  private static final Set<String> REF_KEYS = Set.of("id", "type");

  private static final Pattern IDENT = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");
  private static final Set<String> RESERVED =
      Set.of("true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar");

  private final RawSchema out = new RawSchema();

  private JsonSchemaParser() {}

  static RawSchema parse(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new SchemaException("$", "malformed JSON: " + e.getOriginalMessage());
    }
    JsonSchemaParser parser = new JsonSchemaParser();
    parser.schema(root);
    return parser.out;
  }

  private void schema(JsonNode root) {
    object(root, "$", "an object of namespaces");
    for (Map.Entry<String, JsonNode> ns : root.properties()) {
      String namespace = ns.getKey();
      String path = "$[" + quote(namespace) + "]";
      JsonNode body = ns.getValue();
      object(body, path, "a namespace object");
      keys(body, path, NAMESPACE_KEYS);
      if (!namespace.isEmpty()) {
        for (String part : namespace.split("::", -1)) {
          identifier(part, path, "a namespace name, identifiers joined by ::");
        }
      }
      JsonNode entityTypes = required(body, path, "entityTypes");
      object(entityTypes, path + ".entityTypes", "an object of entity types");
      for (Map.Entry<String, JsonNode> e : entityTypes.properties()) {
        identifier(e.getKey(), path + ".entityTypes", "an entity type name");
        entity(namespace, e.getKey(), e.getValue(), path + ".entityTypes." + e.getKey());
      }
      JsonNode actions = required(body, path, "actions");
      object(actions, path + ".actions", "an object of actions");
      for (Map.Entry<String, JsonNode> a : actions.properties()) {
        action(namespace, a.getKey(), a.getValue(), path + ".actions[" + quote(a.getKey()) + "]");
      }
      if (body.has("commonTypes")) {
        JsonNode commons = body.get("commonTypes");
        object(commons, path + ".commonTypes", "an object of common types");
        for (Map.Entry<String, JsonNode> c : commons.properties()) {
          identifier(c.getKey(), path + ".commonTypes", "a common type name");
          String where = path + ".commonTypes." + c.getKey();
          out.commonTypes.add(
              new RawCommon(namespace, c.getKey(), type(c.getValue(), where), where));
        }
      }
    }
  }

  private void entity(String namespace, String name, JsonNode body, String path) {
    object(body, path, "an entity type object");
    keys(body, path, ENTITY_KEYS);
    List<RawName> memberOf = new ArrayList<>();
    if (body.has("memberOfTypes")) {
      for (JsonNode n : array(body.get("memberOfTypes"), path + ".memberOfTypes")) {
        memberOf.add(
            new RawName(string(n, path + ".memberOfTypes"), Kind.ENTITY, path + ".memberOfTypes"));
      }
    }
    Optional<List<String>> enumIds = Optional.empty();
    if (body.has("enum")) {
      if (body.has("shape") || body.has("tags") || body.has("memberOfTypes")) {
        throw new SchemaException(
            path,
            "an enumerated entity type has only \"enum\" (expected: no shape, tags or memberOfTypes)");
      }
      List<String> ids = new ArrayList<>();
      for (JsonNode id : array(body.get("enum"), path + ".enum")) {
        ids.add(string(id, path + ".enum"));
      }
      enumIds = Optional.of(ids);
    }
    RawType shape =
        body.has("shape")
            ? type(body.get("shape"), path + ".shape")
            : new RawRecord(Map.of(), path);
    Optional<RawType> tags =
        body.has("tags") ? Optional.of(type(body.get("tags"), path + ".tags")) : Optional.empty();
    out.entities.add(new RawEntity(namespace, name, memberOf, shape, tags, enumIds, path));
  }

  private void action(String namespace, String id, JsonNode body, String path) {
    object(body, path, "an action object");
    if (body.has("attributes")) {
      throw new SchemaException(path + ".attributes", "action attributes are not supported");
    }
    keys(body, path, ACTION_KEYS);
    List<RawActionRef> memberOf = new ArrayList<>();
    if (body.has("memberOf")) {
      int i = 0;
      for (JsonNode ref : array(body.get("memberOf"), path + ".memberOf")) {
        String where = path + ".memberOf[" + i++ + "]";
        object(ref, where, "an object with \"id\" and optional \"type\"");
        keys(ref, where, REF_KEYS);
        Optional<String> type =
            ref.has("type")
                ? Optional.of(string(ref.get("type"), where + ".type"))
                : Optional.empty();
        memberOf.add(
            new RawActionRef(type, string(required(ref, where, "id"), where + ".id"), where));
      }
    }
    Optional<RawAppliesTo> appliesTo = Optional.empty();
    if (body.has("appliesTo")) {
      String where = path + ".appliesTo";
      JsonNode applies = body.get("appliesTo");
      object(applies, where, "an appliesTo object");
      keys(applies, where, APPLIES_KEYS);
      RawType context =
          applies.has("context")
              ? type(applies.get("context"), where + ".context")
              : new RawRecord(Map.of(), where);
      appliesTo =
          Optional.of(
              new RawAppliesTo(
                  entityNames(
                      required(applies, where, "principalTypes"), where + ".principalTypes"),
                  entityNames(required(applies, where, "resourceTypes"), where + ".resourceTypes"),
                  context));
    }
    out.actions.add(new RawAction(namespace, id, memberOf, appliesTo, path));
  }

  private static List<RawName> entityNames(JsonNode node, String path) {
    List<RawName> names = new ArrayList<>();
    int i = 0;
    for (JsonNode n : array(node, path)) {
      String where = path + "[" + i++ + "]";
      names.add(new RawName(string(n, where), Kind.ENTITY, where));
    }
    return names;
  }

  private static RawType type(JsonNode node, String path) {
    object(node, path, "a type object with \"type\"");
    String type = string(required(node, path, "type"), path + ".type");
    return switch (type) {
      case "Boolean", "Long", "String" -> {
        keys(node, path, Set.of("type", "required", "annotations"));
        yield new RawName("__cedar::" + (type.equals("Boolean") ? "Bool" : type), Kind.ANY, path);
      }
      case "Set" -> {
        keys(node, path, Set.of("type", "element", "required", "annotations"));
        yield new RawSet(type(required(node, path, "element"), path + ".element"), path);
      }
      case "Entity" -> {
        keys(node, path, Set.of("type", "name", "required", "annotations"));
        yield new RawName(string(required(node, path, "name"), path + ".name"), Kind.ENTITY, path);
      }
      case "Extension" -> {
        keys(node, path, Set.of("type", "name", "required", "annotations"));
        yield new RawName(
            "__cedar::" + string(required(node, path, "name"), path + ".name"), Kind.ANY, path);
      }
      case "EntityOrCommon" -> {
        keys(node, path, Set.of("type", "name", "required", "annotations"));
        yield new RawName(string(required(node, path, "name"), path + ".name"), Kind.ANY, path);
      }
      case "Record" -> record(node, path);
      default -> {
        keys(node, path, Set.of("type", "required", "annotations"));
        yield new RawName(type, Kind.COMMON, path);
      }
    };
  }

  private static RawRecord record(JsonNode node, String path) {
    keys(
        node,
        path,
        Set.of("type", "attributes", "additionalAttributes", "required", "annotations"));
    if (node.has("additionalAttributes") && !node.get("additionalAttributes").isBoolean()) {
      throw new SchemaException(path + ".additionalAttributes", "expected: false");
    }
    if (node.has("additionalAttributes") && node.get("additionalAttributes").booleanValue()) {
      throw new SchemaException(
          path + ".additionalAttributes",
          "open records are not supported (expected: false or absent)");
    }
    Map<String, RawAttr> attributes = new LinkedHashMap<>();
    if (node.has("attributes")) {
      JsonNode attrs = node.get("attributes");
      object(attrs, path + ".attributes", "an object of attributes");
      for (Map.Entry<String, JsonNode> a : attrs.properties()) {
        String where = path + ".attributes[" + quote(a.getKey()) + "]";
        boolean required = true;
        if (a.getValue().has("required")) {
          JsonNode r = a.getValue().get("required");
          if (!r.isBoolean()) {
            throw new SchemaException(where + ".required", r + " (expected: true or false)");
          }
          required = r.booleanValue();
        }
        attributes.put(a.getKey(), new RawAttr(type(a.getValue(), where), required));
      }
    }
    return new RawRecord(attributes, path);
  }

  // ---- helpers

  private static void object(JsonNode node, String path, String expected) {
    if (!node.isObject()) {
      throw new SchemaException(
          path, "found " + node.getNodeType() + " (expected: " + expected + ")");
    }
  }

  private static List<JsonNode> array(JsonNode node, String path) {
    if (!node.isArray()) {
      throw new SchemaException(path, "found " + node.getNodeType() + " (expected: an array)");
    }
    List<JsonNode> items = new ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  private static String string(JsonNode node, String path) {
    if (!node.isString()) {
      throw new SchemaException(path, "found " + node + " (expected: a string)");
    }
    return node.stringValue();
  }

  private static JsonNode required(JsonNode node, String path, String key) {
    JsonNode value = node.get(key);
    if (value == null) {
      throw new SchemaException(path, "missing key \"" + key + "\"");
    }
    return value;
  }

  private static void keys(JsonNode node, String path, Set<String> allowed) {
    for (String key : node.propertyNames()) {
      if (!allowed.contains(key)) {
        throw new SchemaException(
            path + "." + key,
            "unknown key \""
                + key
                + "\" (expected: one of "
                + allowed.stream().sorted().toList()
                + ")");
      }
    }
  }

  private static void identifier(String name, String path, String expected) {
    if (!IDENT.matcher(name).matches() || RESERVED.contains(name)) {
      throw new SchemaException(path, quote(name) + " (expected: " + expected + ")");
    }
  }

  private static String quote(String s) {
    return CedarText.quote(s);
  }
}
