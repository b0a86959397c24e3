package dev.bulwark.policy.internal.validate;

import dev.bulwark.policy.internal.ast.ActionConstraint;
import dev.bulwark.policy.internal.ast.Condition;
import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.Expr;
import dev.bulwark.policy.internal.ast.Expr.BinaryOp;
import dev.bulwark.policy.internal.ast.Expr.UnaryOp;
import dev.bulwark.policy.internal.ast.Expr.Variable;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.internal.validate.CedarType.Bool;
import dev.bulwark.policy.internal.validate.CedarType.BoolKind;
import dev.bulwark.policy.internal.validate.TypeChecker.Environment;
import dev.bulwark.policy.internal.validate.TypeChecker.Typed;
import dev.bulwark.policy.schema.ActionDef;
import dev.bulwark.policy.schema.EntityTypeDef;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict validation of policies against a schema, as Cedar's validator does it: every entity type
 * and action a policy names must be declared, and the policy must typecheck to a boolean in every
 * environment (cedar-spec {@code Cedar/Validation/Validator.lean}). A policy that can never apply,
 * by its scope or its conditions, is allowed: Cedar only warns about it.
 */
public final class PolicyValidator {
  private final Schema schema;
  private final SchemaHierarchy hierarchy;
  private final List<Environment> environments = new ArrayList<>();

  public PolicyValidator(Schema schema) {
    this.schema = schema;
    this.hierarchy = new SchemaHierarchy(schema);
    for (ActionDef action : schema.actions().values()) {
      for (String p : action.principalTypes()) {
        for (String r : action.resourceTypes()) {
          environments.add(new Environment(p, action, r));
        }
      }
    }
  }

  /**
   * What validation found for one policy or template.
   *
   * @param problems the errors; empty when it validates
   * @param impossible whether no request the schema allows can match its scope: Cedar reports this
   *     as a warning, not an error (its validator's {@code shouldValidate} ignores it), and so do
   *     we
   */
  public record Outcome(List<String> problems, boolean impossible) {
    public Outcome {
      problems = List.copyOf(problems);
    }
  }

  /** Validates one policy or template. */
  public Outcome validate(PolicyDef policy) {
    List<String> problems = new ArrayList<>();
    Expr scope = scopeExpr(policy);
    Expr whole = new Expr.And(scope, conditionExpr(policy.conditions()));
    checkDeclared(whole, problems);
    if (!problems.isEmpty()) {
      return new Outcome(problems, false);
    }
    boolean impossible = true;
    for (Environment env : environments) {
      TypeChecker checker = new TypeChecker(schema, hierarchy, env);
      try {
        // Where the scope cannot hold, the conditions are never typechecked (Cedar's && short-
        // circuits the same way), so only the scope is checked there.
        Bool scopeType =
            (Bool) checker.typeOf(substituteAction(scope, env.action().uid()), Set.of()).type();
        if (scopeType.kind() == BoolKind.FF) {
          continue;
        }
        impossible = false;
        Typed t = checker.typeOf(substituteAction(whole, env.action().uid()), Set.of());
        if (!(t.type() instanceof Bool)) {
          problems.add("the policy is not a boolean but " + t.type());
        }
      } catch (TypeError e) {
        problems.add(
            e.getMessage()
                + " (for principal "
                + env.principal()
                + ", action "
                + env.action().uid()
                + ", resource "
                + env.resource()
                + ")");
        return new Outcome(problems, false);
      }
    }
    return new Outcome(problems, impossible);
  }

  // ---- the policy as one expression, as Cedar's Policy.toExpr builds it

  private static Expr scopeExpr(PolicyDef p) {
    return new Expr.And(
        entityScope(p.principal(), Variable.PRINCIPAL),
        new Expr.And(actionScope(p.action()), entityScope(p.resource(), Variable.RESOURCE)));
  }

  private static Expr entityScope(ScopeConstraint c, Variable v) {
    Expr var = new Expr.Var(v);
    return switch (c) {
      case ScopeConstraint.Any a -> truth();
      case ScopeConstraint.Eq eq -> ref(eq.entity(), BinaryOp.EQ, var);
      case ScopeConstraint.In in -> ref(in.entity(), BinaryOp.IN, var);
      case ScopeConstraint.Is is -> {
        Expr typed = new Expr.Is(var, is.entityType());
        yield is.in().map(e -> (Expr) new Expr.And(typed, ref(e, BinaryOp.IN, var))).orElse(typed);
      }
    };
  }

  /**
   * A slot stands for any entity, so its constraint is a boolean the checker cannot decide: {@code
   * 0 < 1} types as Bool, not True, without touching the request.
   */
  private static final Expr UNDECIDED =
      new Expr.Binary(BinaryOp.LT, new Expr.Lit(new LongValue(0)), new Expr.Lit(new LongValue(1)));

  private static Expr ref(EntityRef ref, BinaryOp op, Expr var) {
    return switch (ref) {
      case EntityRef.Literal l -> new Expr.Binary(op, var, new Expr.Lit(l.uid()));
      case EntityRef.SlotRef s -> UNDECIDED;
    };
  }

  private static Expr actionScope(ActionConstraint c) {
    Expr var = new Expr.Var(Variable.ACTION);
    return switch (c) {
      case ActionConstraint.Any a -> truth();
      case ActionConstraint.Eq eq -> new Expr.Binary(BinaryOp.EQ, var, new Expr.Lit(eq.action()));
      case ActionConstraint.In in -> new Expr.Binary(BinaryOp.IN, var, new Expr.Lit(in.action()));
      case ActionConstraint.InSet set ->
          new Expr.Binary(
              BinaryOp.IN,
              var,
              new Expr.SetLit(set.actions().stream().map(a -> (Expr) new Expr.Lit(a)).toList()));
    };
  }

  /** {@code c1 && (c2 && (... && true))}, an unless clause negated. */
  private static Expr conditionExpr(List<Condition> conditions) {
    Expr result = truth();
    for (int i = conditions.size() - 1; i >= 0; i--) {
      Condition c = conditions.get(i);
      result = new Expr.And(c.when() ? c.body() : new Expr.Unary(UnaryOp.NOT, c.body()), result);
    }
    return result;
  }

  private static Expr truth() {
    return new Expr.Lit(BoolValue.TRUE);
  }

  private static Expr substituteAction(Expr e, EntityUid action) {
    return switch (e) {
      case Expr.Var v when v.variable() == Variable.ACTION -> new Expr.Lit(action);
      case Expr.Lit l -> l;
      case Expr.Var v -> v;
      case Expr.Slot s -> s;
      case Expr.If i ->
          new Expr.If(
              substituteAction(i.condition(), action),
              substituteAction(i.then(), action),
              substituteAction(i.otherwise(), action));
      case Expr.And a ->
          new Expr.And(substituteAction(a.left(), action), substituteAction(a.right(), action));
      case Expr.Or o ->
          new Expr.Or(substituteAction(o.left(), action), substituteAction(o.right(), action));
      case Expr.Unary u -> new Expr.Unary(u.op(), substituteAction(u.operand(), action));
      case Expr.Binary b ->
          new Expr.Binary(
              b.op(), substituteAction(b.left(), action), substituteAction(b.right(), action));
      case Expr.GetAttr g -> new Expr.GetAttr(substituteAction(g.target(), action), g.attribute());
      case Expr.HasAttr h -> new Expr.HasAttr(substituteAction(h.target(), action), h.attribute());
      case Expr.Like l -> new Expr.Like(substituteAction(l.target(), action), l.pattern());
      case Expr.Is is -> new Expr.Is(substituteAction(is.target(), action), is.entityType());
      case Expr.SetLit s ->
          new Expr.SetLit(s.elements().stream().map(x -> substituteAction(x, action)).toList());
      case Expr.RecordLit r -> {
        Map<String, Expr> attrs = new java.util.LinkedHashMap<>();
        r.attributes().forEach((k, v) -> attrs.put(k, substituteAction(v, action)));
        yield new Expr.RecordLit(attrs);
      }
      case Expr.Call c ->
          new Expr.Call(
              c.function(), c.arguments().stream().map(x -> substituteAction(x, action)).toList());
    };
  }

  // ---- every entity type, action and enum id named anywhere must be declared

  private void checkDeclared(Expr e, List<String> problems) {
    Set<String> found = new LinkedHashSet<>();
    walk(e, found);
    problems.addAll(found);
  }

  private void walk(Expr e, Set<String> problems) {
    switch (e) {
      case Expr.Lit l -> checkValue(l.value(), problems);
      case Expr.Var v -> {
        // declared by construction
      }
      case Expr.Slot s -> {
        // filled by a link
      }
      case Expr.If i -> {
        walk(i.condition(), problems);
        walk(i.then(), problems);
        walk(i.otherwise(), problems);
      }
      case Expr.And a -> {
        walk(a.left(), problems);
        walk(a.right(), problems);
      }
      case Expr.Or o -> {
        walk(o.left(), problems);
        walk(o.right(), problems);
      }
      case Expr.Unary u -> walk(u.operand(), problems);
      case Expr.Binary b -> {
        walk(b.left(), problems);
        walk(b.right(), problems);
      }
      case Expr.GetAttr g -> walk(g.target(), problems);
      case Expr.HasAttr h -> walk(h.target(), problems);
      case Expr.Like l -> walk(l.target(), problems);
      case Expr.Is is -> {
        if (schema.entityType(is.entityType()).isEmpty() && !isActionType(is.entityType())) {
          problems.add("unrecognized entity type " + is.entityType());
        }
        walk(is.target(), problems);
      }
      case Expr.SetLit s -> s.elements().forEach(x -> walk(x, problems));
      case Expr.RecordLit r -> r.attributes().values().forEach(x -> walk(x, problems));
      case Expr.Call c -> c.arguments().forEach(x -> walk(x, problems));
    }
  }

  private void checkValue(Value v, Set<String> problems) {
    switch (v) {
      case EntityUid uid -> {
        if (isActionType(uid.type())
            || uid.type().equals("Action")
            || uid.type().endsWith("::Action")) {
          if (schema.action(uid).isEmpty()) {
            problems.add("unrecognized action " + uid);
          }
          return;
        }
        EntityTypeDef def = schema.entityType(uid.type()).orElse(null);
        if (def == null) {
          problems.add("unrecognized entity type " + uid.type());
        } else if (def.enumIds().isPresent() && !def.enumIds().get().contains(uid.id())) {
          problems.add(
              uid
                  + " is not one of the values of the enumerated type "
                  + uid.type()
                  + " "
                  + def.enumIds().get());
        }
      }
      case SetValue s -> s.elements().forEach(x -> checkValue(x, problems));
      case RecordValue r -> r.attributes().values().forEach(x -> checkValue(x, problems));
      default -> {
        // primitives and extension values need no declaration
      }
    }
  }

  private boolean isActionType(String type) {
    return schema.actions().keySet().stream().anyMatch(u -> u.type().equals(type));
  }
}
