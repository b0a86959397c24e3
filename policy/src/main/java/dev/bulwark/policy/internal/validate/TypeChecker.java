package dev.bulwark.policy.internal.validate;

import dev.bulwark.policy.internal.ast.Expr;
import dev.bulwark.policy.internal.ast.ExtensionFunction;
import dev.bulwark.policy.internal.validate.CedarType.Bool;
import dev.bulwark.policy.internal.validate.CedarType.BoolKind;
import dev.bulwark.policy.internal.validate.CedarType.EntityT;
import dev.bulwark.policy.internal.validate.CedarType.ExtT;
import dev.bulwark.policy.internal.validate.CedarType.LongT;
import dev.bulwark.policy.internal.validate.CedarType.Qualified;
import dev.bulwark.policy.internal.validate.CedarType.RecordT;
import dev.bulwark.policy.internal.validate.CedarType.SetT;
import dev.bulwark.policy.internal.validate.CedarType.StringT;
import dev.bulwark.policy.schema.ActionDef;
import dev.bulwark.policy.schema.EntityTypeDef;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.Datetime;
import dev.bulwark.policy.value.Decimal;
import dev.bulwark.policy.value.Duration;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.ExtensionValue;
import dev.bulwark.policy.value.IpAddr;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Cedar's strict typechecker for one request environment, after the Lean model (cedar-spec, {@code
 * Cedar/Validation/Typechecker.lean}). Capabilities record which optional attributes and tags a
 * {@code has} / {@code hasTag} has proven present on the path to an expression.
 */
final class TypeChecker {
  /** An attribute or tag proven present on an expression. */
  record Capability(Expr target, Object key) {}

  record Typed(CedarType type, Set<Capability> capabilities) {
    Typed(CedarType type) {
      this(type, Set.of());
    }
  }

  /** A request environment: principal type, action, resource type, context. */
  record Environment(String principal, ActionDef action, String resource) {}

  private final Schema schema;
  private final SchemaHierarchy hierarchy;
  private final Environment env;

  TypeChecker(Schema schema, SchemaHierarchy hierarchy, Environment env) {
    this.schema = schema;
    this.hierarchy = hierarchy;
    this.env = env;
  }

  Typed typeOf(Expr x, Set<Capability> c) {
    return switch (x) {
      case Expr.Lit lit -> new Typed(typeOfValue(lit.value()));
      case Expr.Var v ->
          new Typed(
              switch (v.variable()) {
                case PRINCIPAL -> new EntityT(env.principal());
                case ACTION -> new EntityT(env.action().uid().type());
                case RESOURCE -> new EntityT(env.resource());
                case CONTEXT -> CedarType.record(env.action().context());
              });
      case Expr.Slot s ->
          new Typed(
              new EntityT(
                  s.slot() == dev.bulwark.policy.internal.ast.SlotId.PRINCIPAL
                      ? env.principal()
                      : env.resource()));
      case Expr.If i -> typeOfIf(i, c);
      case Expr.And a -> typeOfAnd(a, c);
      case Expr.Or o -> typeOfOr(o, c);
      case Expr.Unary u -> typeOfUnary(u, c);
      case Expr.Like l -> {
        CedarType t = typeOf(l.target(), c).type();
        if (!(t instanceof StringT)) {
          throw unexpected(t, "String");
        }
        yield new Typed(CedarType.ANY_BOOL);
      }
      case Expr.Is is -> {
        CedarType t = typeOf(is.target(), c).type();
        if (!(t instanceof EntityT e)) {
          throw unexpected(t, "an entity");
        }
        yield new Typed(e.type().equals(is.entityType()) ? CedarType.TT : CedarType.FF);
      }
      case Expr.Binary b -> typeOfBinary(b, c);
      case Expr.HasAttr h -> typeOfHasAttr(h, c);
      case Expr.GetAttr g -> typeOfGetAttr(g, c);
      case Expr.SetLit s -> {
        List<CedarType> types = new ArrayList<>();
        for (Expr e : s.elements()) {
          types.add(typeOf(e, c).type());
        }
        yield new Typed(typeOfSet(types));
      }
      case Expr.RecordLit r -> {
        Map<String, Qualified> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> e : r.attributes().entrySet()) {
          attrs.put(e.getKey(), new Qualified(typeOf(e.getValue(), c).type(), true));
        }
        yield new Typed(new RecordT(attrs));
      }
      case Expr.Call call -> typeOfCall(call, c);
    };
  }

  private CedarType typeOfValue(Value v) {
    return switch (v) {
      case BoolValue b -> b.value() ? CedarType.TT : CedarType.FF;
      case LongValue l -> CedarType.LONG;
      case StringValue s -> CedarType.STRING;
      case EntityUid uid -> {
        if (schema.entityType(uid.type()).isPresent() || schema.action(uid).isPresent()) {
          yield new EntityT(uid.type());
        }
        throw new TypeError("unknown entity type " + uid.type());
      }
      case SetValue s -> {
        List<CedarType> types = new ArrayList<>();
        s.elements().forEach(e -> types.add(typeOfValue(e)));
        yield typeOfSet(types);
      }
      case RecordValue r -> {
        Map<String, Qualified> attrs = new LinkedHashMap<>();
        r.attributes().forEach((k, e) -> attrs.put(k, new Qualified(typeOfValue(e), true)));
        yield new RecordT(attrs);
      }
      case ExtensionValue x -> new ExtT(x.typeName());
    };
  }

  private Typed typeOfIf(Expr.If i, Set<Capability> c) {
    Typed r1 = typeOf(i.condition(), c);
    if (!(r1.type() instanceof Bool b)) {
      throw unexpected(r1.type(), "Bool");
    }
    return switch (b.kind()) {
      case TT -> {
        Typed r2 = typeOf(i.then(), union(c, r1.capabilities()));
        yield new Typed(r2.type(), union(r1.capabilities(), r2.capabilities()));
      }
      case FF -> typeOf(i.otherwise(), c);
      case ANY -> {
        Typed r2 = typeOf(i.then(), union(c, r1.capabilities()));
        Typed r3 = typeOf(i.otherwise(), c);
        CedarType t =
            CedarType.lub(r2.type(), r3.type())
                .orElseThrow(
                    () ->
                        new TypeError(
                            "if branches have incompatible types "
                                + r2.type()
                                + " and "
                                + r3.type()));
        yield new Typed(
            t, intersect(union(r1.capabilities(), r2.capabilities()), r3.capabilities()));
      }
    };
  }

  private Typed typeOfAnd(Expr.And a, Set<Capability> c) {
    Typed r1 = typeOf(a.left(), c);
    if (!(r1.type() instanceof Bool b1)) {
      throw unexpected(r1.type(), "Bool");
    }
    if (b1.kind() == BoolKind.FF) {
      return new Typed(CedarType.FF);
    }
    Typed r2 = typeOf(a.right(), union(c, r1.capabilities()));
    if (!(r2.type() instanceof Bool b2)) {
      throw unexpected(r2.type(), "Bool");
    }
    return switch (b2.kind()) {
      case FF -> new Typed(CedarType.FF);
      case TT -> new Typed(b1, union(r1.capabilities(), r2.capabilities()));
      case ANY -> new Typed(CedarType.ANY_BOOL, union(r1.capabilities(), r2.capabilities()));
    };
  }

  private Typed typeOfOr(Expr.Or o, Set<Capability> c) {
    Typed r1 = typeOf(o.left(), c);
    if (!(r1.type() instanceof Bool b1)) {
      throw unexpected(r1.type(), "Bool");
    }
    if (b1.kind() == BoolKind.TT) {
      return new Typed(CedarType.TT);
    }
    Typed r2 = typeOf(o.right(), c);
    if (!(r2.type() instanceof Bool b2)) {
      throw unexpected(r2.type(), "Bool");
    }
    if (b1.kind() == BoolKind.FF) {
      return r2;
    }
    return switch (b2.kind()) {
      case TT -> new Typed(CedarType.TT);
      case FF -> new Typed(CedarType.ANY_BOOL, r1.capabilities());
      case ANY -> new Typed(CedarType.ANY_BOOL, intersect(r1.capabilities(), r2.capabilities()));
    };
  }

  private Typed typeOfUnary(Expr.Unary u, Set<Capability> c) {
    CedarType t = typeOf(u.operand(), c).type();
    return switch (u.op()) {
      case NOT -> {
        if (t instanceof Bool b) {
          yield new Typed(CedarType.bool(b.kind().not()));
        }
        throw unexpected(t, "Bool");
      }
      case NEG -> {
        if (t instanceof LongT) {
          yield new Typed(CedarType.LONG);
        }
        throw unexpected(t, "Long");
      }
      case IS_EMPTY -> {
        if (t instanceof SetT) {
          yield new Typed(CedarType.ANY_BOOL);
        }
        throw unexpected(t, "a set");
      }
    };
  }

  private Typed typeOfBinary(Expr.Binary b, Set<Capability> c) {
    CedarType t1 = typeOf(b.left(), c).type();
    CedarType t2 = typeOf(b.right(), c).type();
    Expr x1 = b.left();
    Expr x2 = b.right();
    return switch (b.op()) {
      case EQ -> new Typed(typeOfEq(t1, t2, x1, x2));
      case NEQ -> new Typed(CedarType.bool(((Bool) typeOfEq(t1, t2, x1, x2)).kind().not()));
      case LT, LE, GT, GE -> {
        boolean ok =
            t1 instanceof LongT && t2 instanceof LongT
                || t1 instanceof ExtT e1
                    && t2 instanceof ExtT e2
                    && e1.equals(e2)
                    && (e1.name().equals("datetime") || e1.name().equals("duration"));
        if (!ok) {
          throw new TypeError(
              "comparison expects two Longs, datetimes or durations, found " + t1 + " and " + t2);
        }
        yield new Typed(CedarType.ANY_BOOL);
      }
      case ADD, SUB, MUL -> {
        if (!(t1 instanceof LongT)) {
          throw unexpected(t1, "Long");
        }
        if (!(t2 instanceof LongT)) {
          throw unexpected(t2, "Long");
        }
        yield new Typed(CedarType.LONG);
      }
      case IN -> {
        if (!(t1 instanceof EntityT e1)) {
          throw unexpected(t1, "an entity");
        }
        if (t2 instanceof EntityT e2) {
          yield new Typed(CedarType.bool(typeOfInEntity(e1.type(), e2.type(), x1, x2)));
        }
        if (t2 instanceof SetT s && s.element() instanceof EntityT e2) {
          yield new Typed(CedarType.bool(typeOfInSet(e1.type(), e2.type(), x1, x2)));
        }
        throw unexpected(t2, "an entity or a set of entities");
      }
      case CONTAINS -> {
        if (!(t1 instanceof SetT s)) {
          throw unexpected(t1, "a set");
        }
        yield ifLubThenBool(t2, s.element());
      }
      case CONTAINS_ALL, CONTAINS_ANY -> {
        if (!(t1 instanceof SetT s1)) {
          throw unexpected(t1, "a set");
        }
        if (!(t2 instanceof SetT s2)) {
          throw unexpected(t2, "a set");
        }
        yield ifLubThenBool(s1.element(), s2.element());
      }
      case HAS_TAG -> {
        EntityT e = entityAndString(t1, t2);
        Optional<EntityTypeDef> def = schema.entityType(e.type());
        if (def.isEmpty()) {
          if (isActionType(e.type())) {
            yield new Typed(CedarType.FF);
          }
          throw new TypeError("unknown entity type " + e.type());
        }
        if (def.get().tags().isEmpty()) {
          yield new Typed(CedarType.FF);
        }
        Capability cap = new Capability(x1, x2);
        yield c.contains(cap)
            ? new Typed(CedarType.TT)
            : new Typed(CedarType.ANY_BOOL, Set.of(cap));
      }
      case GET_TAG -> {
        EntityT e = entityAndString(t1, t2);
        EntityTypeDef def =
            schema
                .entityType(e.type())
                .orElseThrow(() -> new TypeError("unknown entity type " + e.type()));
        if (def.tags().isEmpty() || !c.contains(new Capability(x1, x2))) {
          throw new TypeError("tag may not be present on " + e.type() + " (guard it with hasTag)");
        }
        yield new Typed(CedarType.of(def.tags().get()));
      }
    };
  }

  private static EntityT entityAndString(CedarType t1, CedarType t2) {
    if (!(t1 instanceof EntityT e)) {
      throw unexpected(t1, "an entity");
    }
    if (!(t2 instanceof StringT)) {
      throw unexpected(t2, "String");
    }
    return e;
  }

  private static Typed ifLubThenBool(CedarType a, CedarType b) {
    if (CedarType.lub(a, b).isEmpty()) {
      throw new TypeError("incompatible types " + a + " and " + b);
    }
    return new Typed(CedarType.ANY_BOOL);
  }

  private static CedarType typeOfEq(CedarType t1, CedarType t2, Expr x1, Expr x2) {
    if (x1 instanceof Expr.Lit l1 && x2 instanceof Expr.Lit l2) {
      return l1.value().equals(l2.value()) ? CedarType.TT : CedarType.FF;
    }
    if (CedarType.lub(t1, t2).isPresent()) {
      return CedarType.ANY_BOOL;
    }
    if (t1 instanceof EntityT && t2 instanceof EntityT) {
      return CedarType.FF;
    }
    throw new TypeError("== compares incompatible types " + t1 + " and " + t2);
  }

  private BoolKind typeOfInEntity(String ety1, String ety2, Expr x1, Expr x2) {
    Optional<EntityUid> a1 = actionUid(x1);
    if (a1.isPresent() && x2 instanceof Expr.Lit l && l.value() instanceof EntityUid u2) {
      return hierarchy.actionIn(a1.get(), u2) ? BoolKind.TT : BoolKind.FF;
    }
    return hierarchy.typeIn(ety1, ety2) ? BoolKind.ANY : BoolKind.FF;
  }

  private BoolKind typeOfInSet(String ety1, String ety2, Expr x1, Expr x2) {
    Optional<EntityUid> a1 = actionUid(x1);
    Optional<List<EntityUid>> uids = entityUids(x2);
    if (a1.isPresent() && uids.isPresent()) {
      return uids.get().stream().anyMatch(u -> hierarchy.actionIn(a1.get(), u))
          ? BoolKind.TT
          : BoolKind.FF;
    }
    return hierarchy.typeIn(ety1, ety2) ? BoolKind.ANY : BoolKind.FF;
  }

  private Optional<EntityUid> actionUid(Expr x) {
    if (x instanceof Expr.Lit l
        && l.value() instanceof EntityUid u
        && schema.action(u).isPresent()) {
      return Optional.of(u);
    }
    return Optional.empty();
  }

  private static Optional<List<EntityUid>> entityUids(Expr x) {
    if (!(x instanceof Expr.SetLit s)) {
      return Optional.empty();
    }
    List<EntityUid> out = new ArrayList<>();
    for (Expr e : s.elements()) {
      if (!(e instanceof Expr.Lit l && l.value() instanceof EntityUid u)) {
        return Optional.empty();
      }
      out.add(u);
    }
    return Optional.of(out);
  }

  private boolean isActionType(String type) {
    return schema.actions().keySet().stream().anyMatch(u -> u.type().equals(type));
  }

  private Typed typeOfHasAttr(Expr.HasAttr h, Set<Capability> c) {
    CedarType t = typeOf(h.target(), c).type();
    if (t instanceof RecordT r) {
      return hasAttrInRecord(r, h.target(), h.attribute(), c, true);
    }
    if (t instanceof EntityT e) {
      Optional<EntityTypeDef> def = schema.entityType(e.type());
      if (def.isPresent()) {
        return hasAttrInRecord(
            CedarType.record(def.get().shape()), h.target(), h.attribute(), c, false);
      }
      if (isActionType(e.type())) {
        return new Typed(CedarType.FF);
      }
      throw new TypeError("unknown entity type " + e.type());
    }
    throw unexpected(t, "an entity or a record");
  }

  private static Typed hasAttrInRecord(
      RecordT r, Expr x, String a, Set<Capability> c, boolean knownToExist) {
    Qualified q = r.attributes().get(a);
    if (q == null) {
      return new Typed(CedarType.FF);
    }
    Capability cap = new Capability(x, a);
    if (c.contains(cap) || q.required() && knownToExist) {
      return new Typed(CedarType.TT);
    }
    return new Typed(CedarType.ANY_BOOL, Set.of(cap));
  }

  private Typed typeOfGetAttr(Expr.GetAttr g, Set<Capability> c) {
    CedarType t = typeOf(g.target(), c).type();
    RecordT r;
    if (t instanceof RecordT rec) {
      r = rec;
    } else if (t instanceof EntityT e) {
      r =
          CedarType.record(
              schema
                  .entityType(e.type())
                  .orElseThrow(
                      () ->
                          new TypeError(
                              "unknown entity type " + e.type() + " (actions have no attributes)"))
                  .shape());
    } else {
      throw unexpected(t, "an entity or a record");
    }
    Qualified q = r.attributes().get(g.attribute());
    if (q == null) {
      throw new TypeError("attribute `" + g.attribute() + "` is not declared on " + t);
    }
    if (!q.required() && !c.contains(new Capability(g.target(), g.attribute()))) {
      throw new TypeError(
          "attribute `" + g.attribute() + "` of " + t + " is optional: guard it with `has`");
    }
    return new Typed(q.type());
  }

  private static CedarType typeOfSet(List<CedarType> types) {
    if (types.isEmpty()) {
      throw new TypeError("empty set literals are not allowed (their element type is unknown)");
    }
    CedarType t = types.get(0);
    for (CedarType next : types.subList(1, types.size())) {
      Optional<CedarType> lub = CedarType.lub(t, next);
      if (lub.isEmpty()) {
        throw new TypeError("set elements have incompatible types " + types);
      }
      t = lub.get();
    }
    return new SetT(t);
  }

  private Typed typeOfCall(Expr.Call call, Set<Capability> c) {
    List<CedarType> types = new ArrayList<>();
    for (Expr a : call.arguments()) {
      types.add(typeOf(a, c).type());
    }
    ExtensionFunction f = call.function();
    return switch (f) {
      case DECIMAL -> constructor(call, "decimal", Decimal::parse);
      case IP -> constructor(call, "ipaddr", IpAddr::parse);
      case DATETIME -> constructor(call, "datetime", Datetime::parse);
      case DURATION -> constructor(call, "duration", Duration::parse);
      case LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL ->
          args(f, types, CedarType.ANY_BOOL, "decimal", "decimal");
      case IS_IPV4, IS_IPV6, IS_LOOPBACK, IS_MULTICAST ->
          args(f, types, CedarType.ANY_BOOL, "ipaddr");
      case IS_IN_RANGE -> args(f, types, CedarType.ANY_BOOL, "ipaddr", "ipaddr");
      case OFFSET -> args(f, types, new ExtT("datetime"), "datetime", "duration");
      case DURATION_SINCE -> args(f, types, new ExtT("duration"), "datetime", "datetime");
      case TO_DATE -> args(f, types, new ExtT("datetime"), "datetime");
      case TO_TIME -> args(f, types, new ExtT("duration"), "datetime");
      case TO_MILLISECONDS, TO_SECONDS, TO_MINUTES, TO_HOURS, TO_DAYS ->
          args(f, types, CedarType.LONG, "duration");
    };
  }

  private static Typed constructor(
      Expr.Call call, String type, java.util.function.Function<String, ?> parse) {
    if (call.arguments().size() == 1
        && call.arguments().get(0) instanceof Expr.Lit l
        && l.value() instanceof StringValue s) {
      try {
        parse.apply(s.value());
        return new Typed(new ExtT(type));
      } catch (IllegalArgumentException e) {
        throw new TypeError(call.function().cedarName() + ": " + e.getMessage());
      }
    }
    throw new TypeError(
        call.function().cedarName()
            + " takes a string literal (a non-literal argument cannot be checked)");
  }

  private static Typed args(
      ExtensionFunction f, List<CedarType> types, CedarType result, String... expected) {
    if (types.size() != expected.length) {
      throw new TypeError(f.cedarName() + " takes " + expected.length + " argument(s)");
    }
    for (int i = 0; i < expected.length; i++) {
      if (!(types.get(i) instanceof ExtT x && x.name().equals(expected[i]))) {
        throw new TypeError(
            f.cedarName() + " expects " + String.join(", ", expected) + ", found " + types);
      }
    }
    return new Typed(result);
  }

  private static TypeError unexpected(CedarType found, String expected) {
    return new TypeError("expected " + expected + ", found " + found);
  }

  private static Set<Capability> union(Set<Capability> a, Set<Capability> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    Set<Capability> out = new HashSet<>(a);
    out.addAll(b);
    return out;
  }

  private static Set<Capability> intersect(Set<Capability> a, Set<Capability> b) {
    Set<Capability> out = new HashSet<>(a);
    out.retainAll(b);
    return out;
  }
}
