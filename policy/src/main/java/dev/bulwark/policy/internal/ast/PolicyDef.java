package dev.bulwark.policy.internal.ast;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.PolicyException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed policy or template: effect, scope, conditions, annotations. A template is a policy whose
 * scope has slots.
 */
public record PolicyDef(
    Map<String, String> annotations,
    Effect effect,
    ScopeConstraint principal,
    ActionConstraint action,
    ScopeConstraint resource,
    List<Condition> conditions,
    Optional<Position> position) {

  /** Where a policy starts in its Cedar text (1-based), for messages about it. */
  public record Position(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  /** A policy read without a source position (from JSON, or built in code). */
  public PolicyDef(
      Map<String, String> annotations,
      Effect effect,
      ScopeConstraint principal,
      ActionConstraint action,
      ScopeConstraint resource,
      List<Condition> conditions) {
    this(annotations, effect, principal, action, resource, conditions, Optional.empty());
  }

  public PolicyDef {
    annotations = Map.copyOf(annotations);
    requireNonNull(effect, "effect");
    requireNonNull(principal, "principal");
    requireNonNull(action, "action");
    requireNonNull(resource, "resource");
    conditions = List.copyOf(conditions);
    requireNonNull(position, "position");
    for (Condition c : conditions) {
      if (ExprDepth.of(c.body()) > ExprDepth.MAX) {
        throw new PolicyException(
            PolicyException.Code.PARSE_ERROR,
            "a condition is nested more than "
                + ExprDepth.MAX
                + " levels deep (expected: a flatter policy)");
      }
    }
  }

  /** The slots the scope uses; empty for a static policy. */
  public Set<SlotId> slots() {
    Set<SlotId> slots = EnumSet.noneOf(SlotId.class);
    principal.target().ifPresent(e -> addSlot(e, slots));
    resource.target().ifPresent(e -> addSlot(e, slots));
    return slots;
  }

  private static void addSlot(EntityRef ref, Set<SlotId> slots) {
    if (ref instanceof EntityRef.SlotRef(SlotId slot)) {
      slots.add(slot);
    }
  }

  /** Whether this is a template. */
  public boolean isTemplate() {
    return !slots().isEmpty();
  }
}
