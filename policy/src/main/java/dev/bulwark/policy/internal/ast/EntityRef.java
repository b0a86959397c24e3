package dev.bulwark.policy.internal.ast;

import dev.bulwark.policy.value.EntityUid;

/** An entity in a principal or resource scope: a literal uid, or a template slot. */
public sealed interface EntityRef {

  /** A literal entity. */
  record Literal(EntityUid uid) implements EntityRef {}

  /** A slot a link fills. */
  record SlotRef(SlotId slot) implements EntityRef {}
}
