package dev.bulwark.policy.differential;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * One generated policy or template: its Cedar text, the request it aims at, and for a template the
 * entity types each slot may be linked to.
 *
 * @param slots {@code "?principal"} / {@code "?resource"} to the types a link may give it; empty
 *     for a static policy
 */
record GenPolicy(String text, Aim aim, Map<String, List<String>> slots) {
  GenPolicy {
    slots = Map.copyOf(slots);
  }

  boolean isTemplate() {
    return !slots.isEmpty();
  }

  /**
   * The requests a policy's scope names: its action, principal and resource types, and the entity
   * each scope names ({@code ==}, or the group of {@code in}), if any.
   */
  record Aim(
      GenSchema.ActionDef action,
      String principalType,
      Optional<ObjectNode> principal,
      String resourceType,
      Optional<ObjectNode> resource) {}
}
