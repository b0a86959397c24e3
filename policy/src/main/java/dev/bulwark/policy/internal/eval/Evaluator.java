package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.internal.ast.ActionConstraint;
import dev.bulwark.policy.internal.ast.Condition;
import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.Expr;
import dev.bulwark.policy.internal.ast.ExtensionFunction;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.Datetime;
import dev.bulwark.policy.value.Decimal;
import dev.bulwark.policy.value.Duration;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.IpAddr;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates policies for one request, exactly as the Cedar specification defines (the Lean model in
 * cedar-spec, {@code Cedar/Spec/Evaluator.lean}): {@code &&}, {@code ||} and {@code if}
 * short-circuit; every operator checks its operands' types and raises an error otherwise; long
 * arithmetic fails on overflow; a missing attribute or entity is an error, except under {@code
 * has}.
 */
public final class Evaluator {
  private final EntityUid principal;
  private final EntityUid action;
  private final EntityUid resource;
  private final RecordValue context;
  private final Entities entities;

  public Evaluator(
      EntityUid principal,
      EntityUid action,
      EntityUid resource,
      RecordValue context,
      Entities entities) {
    this.principal = principal;
    this.action = action;
    this.resource = resource;
    this.context = context;
    this.entities = entities;
  }

  /** Whether the policy's scope matches the request; never an error. */
  public boolean scopeMatches(PolicyDef policy) {
    return entityScope(policy.principal(), principal)
        && actionScope(policy.action())
        && entityScope(policy.resource(), resource);
  }

  /**
   * Whether the policy is satisfied: scope, then each {@code when} (must be true) and {@code
   * unless} (must be false) in order.
   *
   * @throws EvaluationError if a condition cannot be evaluated
   */
  public boolean satisfied(PolicyDef policy) {
    if (!scopeMatches(policy)) {
      return false;
    }
    for (Condition c : policy.conditions()) {
      boolean value = asBool(eval(c.body()));
      if (value != c.when()) {
        return false;
      }
    }
    return true;
  }

  private boolean entityScope(ScopeConstraint constraint, EntityUid uid) {
    return switch (constraint) {
      case ScopeConstraint.Any a -> true;
      case ScopeConstraint.Eq eq -> uid.equals(literal(eq.entity()));
      case ScopeConstraint.In in -> entities.isIn(uid, literal(in.entity()));
      case ScopeConstraint.Is is ->
          uid.type().equals(is.entityType())
              && is.in().map(e -> entities.isIn(uid, literal(e))).orElse(true);
    };
  }

  private static EntityUid literal(EntityRef ref) {
    return switch (ref) {
      case EntityRef.Literal l -> l.uid();
      case EntityRef.SlotRef s ->
          throw new IllegalStateException("unlinked slot " + s.slot().text() + " at evaluation");
    };
  }

  private boolean actionScope(ActionConstraint constraint) {
    return switch (constraint) {
      case ActionConstraint.Any a -> true;
      case ActionConstraint.Eq eq -> action.equals(eq.action());
      case ActionConstraint.In in -> entities.isIn(action, in.action());
      case ActionConstraint.InSet set -> {
        for (EntityUid a : set.actions()) {
          if (entities.isIn(action, a)) {
            yield true;
          }
        }
        yield false;
      }
    };
  }

  /** Evaluates an expression. */
  public Value eval(Expr expr) {
    return switch (expr) {
      case Expr.Lit lit -> lit.value();
      case Expr.Var v ->
          switch (v.variable()) {
            case PRINCIPAL -> principal;
            case ACTION -> action;
            case RESOURCE -> resource;
            case CONTEXT -> context;
          };
      case Expr.Slot s -> throw new EvaluationError("unlinked slot " + s.slot().text());
      case Expr.If i -> asBool(eval(i.condition())) ? eval(i.then()) : eval(i.otherwise());
      case Expr.And a -> BoolValue.of(asBool(eval(a.left())) && asBool(eval(a.right())));
      case Expr.Or o -> BoolValue.of(asBool(eval(o.left())) || asBool(eval(o.right())));
      case Expr.Unary u -> unary(u);
      case Expr.Binary b -> binary(b.op(), eval(b.left()), eval(b.right()));
      case Expr.GetAttr g -> getAttr(eval(g.target()), g.attribute());
      case Expr.HasAttr h -> BoolValue.of(hasAttr(eval(h.target()), h.attribute()));
      case Expr.Like l -> BoolValue.of(l.pattern().matches(asString(eval(l.target()))));
      case Expr.Is is -> BoolValue.of(asEntity(eval(is.target())).type().equals(is.entityType()));
      case Expr.SetLit s -> {
        List<Value> values = new ArrayList<>(s.elements().size());
        for (Expr e : s.elements()) {
          values.add(eval(e));
        }
        yield SetValue.of(values);
      }
      case Expr.RecordLit r -> {
        Map<String, Value> values = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> e : r.attributes().entrySet()) {
          values.put(e.getKey(), eval(e.getValue()));
        }
        yield new RecordValue(values);
      }
      case Expr.Call c -> call(c);
    };
  }

  private Value unary(Expr.Unary u) {
    Value v = eval(u.operand());
    return switch (u.op()) {
      case NOT -> BoolValue.of(!asBool(v));
      case NEG -> {
        try {
          yield new LongValue(Math.negateExact(asLong(v)));
        } catch (ArithmeticException e) {
          throw new EvaluationError("integer overflow negating " + v);
        }
      }
      case IS_EMPTY -> BoolValue.of(asSet(v).elements().isEmpty());
    };
  }

  private Value binary(Expr.BinaryOp op, Value l, Value r) {
    return switch (op) {
      case EQ -> BoolValue.of(l.equals(r));
      case NEQ -> BoolValue.of(!l.equals(r));
      case LT -> BoolValue.of(compare(l, r, "<") < 0);
      case LE -> BoolValue.of(compare(l, r, "<=") <= 0);
      case GT -> BoolValue.of(compare(l, r, ">") > 0);
      case GE -> BoolValue.of(compare(l, r, ">=") >= 0);
      case ADD -> arithmetic(l, r, '+');
      case SUB -> arithmetic(l, r, '-');
      case MUL -> arithmetic(l, r, '*');
      case IN -> BoolValue.of(in(l, r));
      case CONTAINS -> BoolValue.of(asSet(l).elements().contains(r));
      case CONTAINS_ALL -> BoolValue.of(asSet(l).elements().containsAll(asSet(r).elements()));
      case CONTAINS_ANY -> {
        var left = asSet(l).elements();
        boolean any = false;
        for (Value v : asSet(r).elements()) {
          if (left.contains(v)) {
            any = true;
            break;
          }
        }
        yield BoolValue.of(any);
      }
      case GET_TAG -> {
        EntityUid uid = asEntity(l);
        String key = asString(r);
        Entity e = entity(uid);
        Value tag = e.tags().get(key);
        if (tag == null) {
          throw new EvaluationError("`" + uid + "` does not have the tag `" + key + "`");
        }
        yield tag;
      }
      case HAS_TAG -> {
        EntityUid uid = asEntity(l);
        String key = asString(r);
        yield BoolValue.of(entities.get(uid).map(e -> e.tags().containsKey(key)).orElse(false));
      }
    };
  }

  // Cedar/Spec/Evaluator.lean: the order operators take longs, datetimes and durations; decimals
  // are compared with their methods (lessThan, ...), never with < (that is a type error).
  private static int compare(Value l, Value r, String op) {
    if (l instanceof LongValue a && r instanceof LongValue b) {
      return Long.compare(a.value(), b.value());
    }
    if (l instanceof Datetime a && r instanceof Datetime b) {
      return a.compareTo(b);
    }
    if (l instanceof Duration a && r instanceof Duration b) {
      return a.compareTo(b);
    }
    throw new EvaluationError(
        "type error: "
            + op
            + " expects two longs, datetimes or durations, found "
            + l.typeName()
            + " and "
            + r.typeName());
  }

  private static Value arithmetic(Value l, Value r, char op) {
    long a = asLong(l);
    long b = asLong(r);
    try {
      return new LongValue(
          switch (op) {
            case '+' -> Math.addExact(a, b);
            case '-' -> Math.subtractExact(a, b);
            default -> Math.multiplyExact(a, b);
          });
    } catch (ArithmeticException e) {
      throw new EvaluationError("integer overflow: " + a + " " + op + " " + b);
    }
  }

  private boolean in(Value l, Value r) {
    EntityUid child = asEntity(l);
    if (r instanceof EntityUid parent) {
      return entities.isIn(child, parent);
    }
    if (r instanceof SetValue set) {
      boolean found = false;
      for (Value v : set.elements()) {
        // Every element must be an entity even once one matched (Cedar type-checks the whole set).
        if (entities.isIn(child, asEntity(v))) {
          found = true;
        }
      }
      return found;
    }
    throw new EvaluationError(
        "type error: `in` expects an entity or a set of entities on the right, found "
            + r.typeName());
  }

  private Value getAttr(Value target, String attribute) {
    if (target instanceof RecordValue record) {
      Value v = record.attributes().get(attribute);
      if (v == null) {
        throw new EvaluationError("record does not have the attribute `" + attribute + "`");
      }
      return v;
    }
    if (target instanceof EntityUid uid) {
      Value v = entity(uid).attributes().get(attribute);
      if (v == null) {
        throw new EvaluationError("`" + uid + "` does not have the attribute `" + attribute + "`");
      }
      return v;
    }
    throw new EvaluationError(
        "type error: attribute access expects an entity or a record, found " + target.typeName());
  }

  private boolean hasAttr(Value target, String attribute) {
    if (target instanceof RecordValue record) {
      return record.attributes().containsKey(attribute);
    }
    if (target instanceof EntityUid uid) {
      return entities.get(uid).map(e -> e.attributes().containsKey(attribute)).orElse(false);
    }
    throw new EvaluationError(
        "type error: `has` expects an entity or a record, found " + target.typeName());
  }

  private Entity entity(EntityUid uid) {
    return entities
        .get(uid)
        .orElseThrow(() -> new EvaluationError("entity `" + uid + "` does not exist"));
  }

  private Value call(Expr.Call c) {
    List<Expr> args = c.arguments();
    Value first = eval(args.get(0));
    Value second = args.size() > 1 ? eval(args.get(1)) : null;
    ExtensionFunction f = c.function();
    try {
      return switch (f) {
        case DECIMAL -> Decimal.parse(asString(first));
        case IP -> IpAddr.parse(asString(first));
        case DATETIME -> Datetime.parse(asString(first));
        case DURATION -> Duration.parse(asString(first));
        case LESS_THAN -> BoolValue.of(decimal(first, f).compareTo(decimal(second, f)) < 0);
        case LESS_THAN_OR_EQUAL ->
            BoolValue.of(decimal(first, f).compareTo(decimal(second, f)) <= 0);
        case GREATER_THAN -> BoolValue.of(decimal(first, f).compareTo(decimal(second, f)) > 0);
        case GREATER_THAN_OR_EQUAL ->
            BoolValue.of(decimal(first, f).compareTo(decimal(second, f)) >= 0);
        case IS_IPV4 -> BoolValue.of(ip(first, f).isIpv4());
        case IS_IPV6 -> BoolValue.of(ip(first, f).isIpv6());
        case IS_LOOPBACK -> BoolValue.of(ip(first, f).isLoopback());
        case IS_MULTICAST -> BoolValue.of(ip(first, f).isMulticast());
        case IS_IN_RANGE -> BoolValue.of(ip(first, f).isInRange(ip(second, f)));
        case OFFSET -> datetime(first, f).offset(duration(second, f));
        case DURATION_SINCE -> datetime(first, f).durationSince(datetime(second, f));
        case TO_DATE -> datetime(first, f).toDate();
        case TO_TIME -> datetime(first, f).toTime();
        case TO_MILLISECONDS -> new LongValue(duration(first, f).toMilliseconds());
        case TO_SECONDS -> new LongValue(duration(first, f).toSeconds());
        case TO_MINUTES -> new LongValue(duration(first, f).toMinutes());
        case TO_HOURS -> new LongValue(duration(first, f).toHours());
        case TO_DAYS -> new LongValue(duration(first, f).toDays());
      };
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new EvaluationError(
          "error while evaluating `" + f.cedarName() + "`: " + e.getMessage());
    }
  }

  private static Decimal decimal(Value v, ExtensionFunction f) {
    if (v instanceof Decimal d) {
      return d;
    }
    throw typeError(f, "decimal", v);
  }

  private static IpAddr ip(Value v, ExtensionFunction f) {
    if (v instanceof IpAddr ip) {
      return ip;
    }
    throw typeError(f, "ipaddr", v);
  }

  private static Datetime datetime(Value v, ExtensionFunction f) {
    if (v instanceof Datetime d) {
      return d;
    }
    throw typeError(f, "datetime", v);
  }

  private static Duration duration(Value v, ExtensionFunction f) {
    if (v instanceof Duration d) {
      return d;
    }
    throw typeError(f, "duration", v);
  }

  private static EvaluationError typeError(ExtensionFunction f, String expected, Value found) {
    return new EvaluationError(
        "type error: `" + f.cedarName() + "` expects " + expected + ", found " + found.typeName());
  }

  private static boolean asBool(Value v) {
    if (v instanceof BoolValue b) {
      return b.value();
    }
    throw new EvaluationError("type error: expected bool, found " + v.typeName());
  }

  private static long asLong(Value v) {
    if (v instanceof LongValue l) {
      return l.value();
    }
    throw new EvaluationError("type error: expected long, found " + v.typeName());
  }

  private static String asString(Value v) {
    if (v instanceof StringValue s) {
      return s.value();
    }
    throw new EvaluationError("type error: expected string, found " + v.typeName());
  }

  private static EntityUid asEntity(Value v) {
    if (v instanceof EntityUid e) {
      return e;
    }
    throw new EvaluationError("type error: expected entity, found " + v.typeName());
  }

  private static SetValue asSet(Value v) {
    if (v instanceof SetValue s) {
      return s;
    }
    throw new EvaluationError("type error: expected set, found " + v.typeName());
  }
}
