package dev.bulwark.policy.schema;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.value.EntityUid;
import java.util.Set;

/**
 * An action as the entity store holds it: the evaluator adds these when a caller gives a schema, so
 * {@code action in Action::"readOnly"} follows the declared hierarchy.
 *
 * @param uid the action
 * @param parents the action groups it is declared a direct member of
 */
public record ActionEntity(EntityUid uid, Set<EntityUid> parents) {
  public ActionEntity {
    requireNonNull(uid, "uid");
    parents = Set.copyOf(parents);
  }
}
