package dev.bulwark.policy.internal.ast;

import java.util.Optional;

/** The principal or resource part of a policy's scope. */
public sealed interface ScopeConstraint {

  /** No constraint: {@code principal}. */
  record Any() implements ScopeConstraint {}

  /** {@code principal == E}. */
  record Eq(EntityRef entity) implements ScopeConstraint {}

  /** {@code principal in E}. */
  record In(EntityRef entity) implements ScopeConstraint {}

  /** {@code principal is T}, optionally {@code in E}. */
  record Is(String entityType, Optional<EntityRef> in) implements ScopeConstraint {}

  /** The entity this constraint names, if it names one. */
  default Optional<EntityRef> target() {
    return switch (this) {
      case Any a -> Optional.empty();
      case Eq eq -> Optional.of(eq.entity());
      case In in -> Optional.of(in.entity());
      case Is is -> is.in();
    };
  }
}
