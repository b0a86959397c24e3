package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.internal.ast.SlotId;
import dev.bulwark.policy.value.EntityUid;
import java.util.Map;

/** Fills a template's slots. */
public final class Linker {
  private Linker() {}

  /** The template with each slot replaced by its value; the caller has checked the slots match. */
  public static PolicyDef link(PolicyDef template, Map<SlotId, EntityUid> values) {
    return new PolicyDef(
        template.annotations(),
        template.effect(),
        fill(template.principal(), values),
        template.action(),
        fill(template.resource(), values),
        template.conditions(),
        template.position());
  }

  private static ScopeConstraint fill(ScopeConstraint c, Map<SlotId, EntityUid> values) {
    return switch (c) {
      case ScopeConstraint.Any a -> a;
      case ScopeConstraint.Eq eq -> new ScopeConstraint.Eq(fill(eq.entity(), values));
      case ScopeConstraint.In in -> new ScopeConstraint.In(fill(in.entity(), values));
      case ScopeConstraint.Is is ->
          new ScopeConstraint.Is(is.entityType(), is.in().map(e -> fill(e, values)));
    };
  }

  private static EntityRef fill(EntityRef ref, Map<SlotId, EntityUid> values) {
    return switch (ref) {
      case EntityRef.Literal l -> l;
      case EntityRef.SlotRef s -> new EntityRef.Literal(values.get(s.slot()));
    };
  }
}
