package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.Value;
import java.util.Map;
import java.util.Set;

/**
 * An entity: its uid, attributes, direct parents in the hierarchy, and tags.
 *
 * @param uid the entity's identifier
 * @param attributes attribute values by name
 * @param parents the entities it is directly {@code in}
 * @param tags tag values by key (Cedar entity tags)
 */
public record Entity(
    EntityUid uid, Map<String, Value> attributes, Set<EntityUid> parents, Map<String, Value> tags) {

  public Entity {
    requireNonNull(uid, "uid");
    attributes = Map.copyOf(attributes);
    parents = Set.copyOf(parents);
    tags = Map.copyOf(tags);
  }

  /** An entity with parents and no attributes or tags. */
  public static Entity of(EntityUid uid, Set<EntityUid> parents) {
    return new Entity(uid, Map.of(), parents, Map.of());
  }
}
