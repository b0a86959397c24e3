package dev.bulwark.policy.schema;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.value.EntityUid;
import java.util.Set;

/**
 * An action a schema declares.
 *
 * @param uid the action, an entity of type {@code Action} or {@code Ns::Action}
 * @param memberOf the action groups it is declared a direct member of
 * @param ancestors every action group it is a member of, directly or through other groups
 * @param principalTypes the entity types a request's principal may have for this action; empty when
 *     the action applies to nothing
 * @param resourceTypes the entity types a request's resource may have for this action
 * @param context the type of a request's context for this action
 */
public record ActionDef(
    EntityUid uid,
    Set<EntityUid> memberOf,
    Set<EntityUid> ancestors,
    Set<String> principalTypes,
    Set<String> resourceTypes,
    RecordType context) {
  public ActionDef {
    requireNonNull(uid, "uid");
    memberOf = Set.copyOf(memberOf);
    ancestors = Set.copyOf(ancestors);
    principalTypes = Set.copyOf(principalTypes);
    resourceTypes = Set.copyOf(resourceTypes);
    requireNonNull(context, "context");
  }
}
