package dev.bulwark.policy.internal.ast;

import dev.bulwark.policy.value.EntityUid;
import java.util.List;

/** The action part of a policy's scope. */
public sealed interface ActionConstraint {

  /** No constraint. */
  record Any() implements ActionConstraint {}

  /** {@code action == A}. */
  record Eq(EntityUid action) implements ActionConstraint {}

  /** {@code action in A}. */
  record In(EntityUid action) implements ActionConstraint {}

  /** {@code action in [A, B]}. */
  record InSet(List<EntityUid> actions) implements ActionConstraint {
    public InSet {
      actions = List.copyOf(actions);
    }
  }
}
