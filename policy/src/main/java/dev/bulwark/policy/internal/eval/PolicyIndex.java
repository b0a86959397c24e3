package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.internal.ast.ActionConstraint;
import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.value.EntityUid;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the policies whose scope can match a request without evaluating the rest. Each scope
 * position (principal, action, resource) maps the entity or type a policy names to the policies
 * naming it; a request's candidates are those named by its entity, one of its ancestors or its
 * type, or unconstrained in that position, intersected over the three positions. The result is a
 * superset: the evaluator still checks each candidate's scope.
 */
public final class PolicyIndex {
  private final int size;
  private final Position principals = new Position();
  private final Position actions = new Position();
  private final Position resources = new Position();

  public PolicyIndex(List<PolicyDef> policies) {
    this.size = policies.size();
    for (int i = 0; i < size; i++) {
      PolicyDef p = policies.get(i);
      int at = i;
      principals.add(i, p.principal());
      resources.add(i, p.resource());
      switch (p.action()) {
        case ActionConstraint.Any a -> actions.any.set(i);
        case ActionConstraint.Eq eq -> actions.named(eq.action()).set(i);
        case ActionConstraint.In in -> actions.named(in.action()).set(i);
        case ActionConstraint.InSet set -> set.actions().forEach(a -> actions.named(a).set(at));
      }
    }
  }

  /** Indexes (into the list given at construction) of the policies that may apply. */
  public BitSet candidates(
      EntityUid principal, EntityUid action, EntityUid resource, Entities entities) {
    BitSet result = principals.matching(principal, entities);
    result.and(actions.matching(action, entities));
    result.and(resources.matching(resource, entities));
    return result;
  }

  public int size() {
    return size;
  }

  private static final class Position {
    final BitSet any = new BitSet();
    final Map<EntityUid, BitSet> byEntity = new HashMap<>();
    final Map<String, BitSet> byType = new HashMap<>();

    BitSet named(EntityUid uid) {
      return byEntity.computeIfAbsent(uid, k -> new BitSet());
    }

    void add(int i, ScopeConstraint c) {
      switch (c) {
        case ScopeConstraint.Any a -> any.set(i);
        case ScopeConstraint.Eq eq -> named(uid(eq.entity())).set(i);
        case ScopeConstraint.In in -> named(uid(in.entity())).set(i);
        case ScopeConstraint.Is is ->
            is.in()
                .ifPresentOrElse(
                    e -> named(uid(e)).set(i),
                    () -> byType.computeIfAbsent(is.entityType(), k -> new BitSet()).set(i));
      }
    }

    private static EntityUid uid(EntityRef ref) {
      if (ref instanceof EntityRef.Literal l) {
        return l.uid();
      }
      throw new IllegalStateException("templates are not indexed, only their links");
    }

    BitSet matching(EntityUid uid, Entities entities) {
      BitSet result = (BitSet) any.clone();
      BitSet own = byEntity.get(uid);
      if (own != null) {
        result.or(own);
      }
      if (!byEntity.isEmpty()) {
        for (EntityUid ancestor : entities.ancestors(uid)) {
          BitSet viaAncestor = byEntity.get(ancestor);
          if (viaAncestor != null) {
            result.or(viaAncestor);
          }
        }
      }
      BitSet typed = byType.get(uid.type());
      if (typed != null) {
        result.or(typed);
      }
      return result;
    }
  }
}
