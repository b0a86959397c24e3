package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.Entity;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads Cedar's entities JSON. */
public final class EntityJson {
  private EntityJson() {}

  /** What a schema says an entity type's attributes and tags are, for schema-based reading. */
  public interface EntityTypes {
    /** The expected types of the type's attributes. */
    ExpectedType attributes(String entityType);

    /** The expected type of the type's tags. */
    ExpectedType tags(String entityType);
  }

  /**
   * Reads an array of entities.
   *
   * @throws PolicyException {@code ENTITIES_INVALID} naming the entity and field at fault
   */
  public static List<Entity> parseEntities(String json, Optional<EntityTypes> types) {
    JsonNode root;
    try {
      root = ValueJson.MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new PolicyException(
          PolicyException.Code.ENTITIES_INVALID, "entities: not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray()) {
      throw new PolicyException(
          PolicyException.Code.ENTITIES_INVALID, "entities: expected a JSON array of entities");
    }
    List<Entity> entities = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      entities.add(entity(root.get(i), types, "entities[" + i + "]"));
    }
    return entities;
  }

  private static Entity entity(JsonNode node, Optional<EntityTypes> types, String path) {
    try {
      if (!node.isObject()) {
        throw new IllegalArgumentException(path + ": expected an object");
      }
      EntityUid uid = ValueJson.entityUid(node.get("uid"), path + ".uid");
      ExpectedType attrTypes = types.map(t -> t.attributes(uid.type())).orElse(ExpectedType.ANY);
      ExpectedType tagType = types.map(t -> t.tags(uid.type())).orElse(ExpectedType.ANY);
      Map<String, Value> attrs = fields(node.get("attrs"), attrTypes, path + ".attrs");
      Map<String, Value> tags = new LinkedHashMap<>();
      JsonNode tagNode = node.get("tags");
      if (tagNode != null && !tagNode.isNull()) {
        if (!tagNode.isObject()) {
          throw new IllegalArgumentException(path + ".tags: expected an object");
        }
        for (Map.Entry<String, JsonNode> f : tagNode.properties()) {
          tags.put(f.getKey(), ValueJson.read(f.getValue(), tagType, path + ".tags." + f.getKey()));
        }
      }
      Set<EntityUid> parents = new LinkedHashSet<>();
      JsonNode parentNode = node.get("parents");
      if (parentNode != null && !parentNode.isNull()) {
        if (!parentNode.isArray()) {
          throw new IllegalArgumentException(path + ".parents: expected an array");
        }
        for (int i = 0; i < parentNode.size(); i++) {
          parents.add(ValueJson.entityUid(parentNode.get(i), path + ".parents[" + i + "]"));
        }
      }
      return new Entity(uid, attrs, parents, tags);
    } catch (IllegalArgumentException e) {
      throw new PolicyException(PolicyException.Code.ENTITIES_INVALID, e.getMessage(), e);
    }
  }

  /** Reads a JSON object of named values, e.g. attributes or a request context. */
  public static Map<String, Value> fields(JsonNode node, ExpectedType types, String path) {
    Map<String, Value> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(path + ": expected an object");
    }
    Map<String, ExpectedType> byName =
        types instanceof ExpectedType.RecordOf r ? r.attributes() : Map.of();
    for (Map.Entry<String, JsonNode> f : node.properties()) {
      out.put(
          f.getKey(),
          ValueJson.read(
              f.getValue(),
              byName.getOrDefault(f.getKey(), ExpectedType.ANY),
              path + "." + f.getKey()));
    }
    return out;
  }
}
