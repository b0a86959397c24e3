package dev.bulwark.policy.internal.validate;

import dev.bulwark.policy.schema.ActionDef;
import dev.bulwark.policy.schema.EntityTypeDef;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which entity types may be {@code in} which, and which actions are in which groups, per a schema.
 */
final class SchemaHierarchy {
  private final Schema schema;
  private final Map<String, Set<String>> ancestorTypes = new HashMap<>();

  SchemaHierarchy(Schema schema) {
    this.schema = schema;
    for (EntityTypeDef def : schema.entityTypes().values()) {
      Set<String> seen = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>(def.memberOfTypes());
      while (!todo.isEmpty()) {
        String next = todo.pop();
        if (seen.add(next)) {
          schema.entityType(next).ifPresent(d -> todo.addAll(d.memberOfTypes()));
        }
      }
      ancestorTypes.put(def.name(), seen);
    }
  }

  /**
   * Whether an entity of type {@code descendant} may be {@code in} one of type {@code ancestor}.
   */
  boolean typeIn(String descendant, String ancestor) {
    return descendant.equals(ancestor)
        || ancestorTypes.getOrDefault(descendant, Set.of()).contains(ancestor);
  }

  /** Whether action {@code a} is {@code in} action {@code group}. */
  boolean actionIn(EntityUid a, EntityUid group) {
    if (a.equals(group)) {
      return true;
    }
    return schema.action(a).map(ActionDef::ancestors).orElse(Set.of()).contains(group);
  }
}
