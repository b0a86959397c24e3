package dev.bulwark.policy.internal.parse;

import dev.bulwark.policy.internal.ast.ActionConstraint;
import dev.bulwark.policy.internal.ast.Condition;
import dev.bulwark.policy.internal.ast.Effect;
import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.Expr;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.value.CedarText;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes policies and expressions back as Cedar text that parses to the same tree. Compound
 * operands are parenthesised rather than relying on precedence, which keeps the printer obviously
 * correct.
 */
public final class CedarPrinter {
  private CedarPrinter() {}

  /** A policy in Cedar syntax. */
  public static String print(PolicyDef p) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> a : p.annotations().entrySet()) {
      out.append('@')
          .append(a.getKey())
          .append('(')
          .append(CedarText.quote(a.getValue()))
          .append(")\n");
    }
    out.append(p.effect() == Effect.PERMIT ? "permit" : "forbid").append(" (\n  principal");
    scope(out, p.principal());
    out.append(",\n  action");
    switch (p.action()) {
      case ActionConstraint.Any a -> {
        // nothing more
      }
      case ActionConstraint.Eq eq -> out.append(" == ").append(eq.action());
      case ActionConstraint.In in -> out.append(" in ").append(in.action());
      case ActionConstraint.InSet set ->
          out.append(" in ")
              .append(
                  set.actions().stream()
                      .map(EntityUid::toString)
                      .collect(Collectors.joining(", ", "[", "]")));
    }
    out.append(",\n  resource");
    scope(out, p.resource());
    out.append("\n)");
    for (Condition c : p.conditions()) {
      out.append('\n')
          .append(c.when() ? "when" : "unless")
          .append(" { ")
          .append(print(c.body()))
          .append(" }");
    }
    return out.append(';').toString();
  }

  private static void scope(StringBuilder out, ScopeConstraint c) {
    switch (c) {
      case ScopeConstraint.Any a -> {
        // nothing more
      }
      case ScopeConstraint.Eq eq -> out.append(" == ").append(ref(eq.entity()));
      case ScopeConstraint.In in -> out.append(" in ").append(ref(in.entity()));
      case ScopeConstraint.Is is -> {
        out.append(" is ").append(is.entityType());
        is.in().ifPresent(e -> out.append(" in ").append(ref(e)));
      }
    }
  }

  private static String ref(EntityRef r) {
    return switch (r) {
      case EntityRef.Literal l -> l.uid().toString();
      case EntityRef.SlotRef s -> s.slot().text();
    };
  }

  /** An expression in Cedar syntax. */
  public static String print(Expr e) {
    return switch (e) {
      case Expr.Lit l -> l.value().toString();
      case Expr.Var v -> v.variable().cedarName();
      case Expr.Slot s -> s.slot().text();
      case Expr.If i ->
          "if " + wrap(i.condition()) + " then " + wrap(i.then()) + " else " + wrap(i.otherwise());
      case Expr.And a -> wrap(a.left()) + " && " + wrap(a.right());
      case Expr.Or o -> wrap(o.left()) + " || " + wrap(o.right());
      case Expr.Unary u ->
          switch (u.op()) {
            case NOT -> "!" + wrap(u.operand());
            case NEG -> "-" + wrap(u.operand());
            case IS_EMPTY -> wrap(u.operand()) + ".isEmpty()";
          };
      case Expr.Binary b -> binary(b);
      case Expr.GetAttr g -> wrap(g.target()) + "[" + CedarText.quote(g.attribute()) + "]";
      case Expr.HasAttr h -> wrap(h.target()) + " has " + CedarText.quote(h.attribute());
      case Expr.Like l -> wrap(l.target()) + " like \"" + escapePattern(l.pattern()) + "\"";
      case Expr.Is is -> wrap(is.target()) + " is " + is.entityType();
      case Expr.SetLit s ->
          s.elements().stream()
              .map(CedarPrinter::print)
              .collect(Collectors.joining(", ", "[", "]"));
      case Expr.RecordLit r ->
          r.attributes().entrySet().stream()
              .map(x -> CedarText.quote(x.getKey()) + ": " + print(x.getValue()))
              .collect(Collectors.joining(", ", "{", "}"));
      case Expr.Call c -> {
        if (c.function().isMethod()) {
          yield wrap(c.arguments().get(0))
              + "."
              + c.function().cedarName()
              + c.arguments().subList(1, c.arguments().size()).stream()
                  .map(CedarPrinter::print)
                  .collect(Collectors.joining(", ", "(", ")"));
        }
        yield c.function().cedarName()
            + c.arguments().stream()
                .map(CedarPrinter::print)
                .collect(Collectors.joining(", ", "(", ")"));
      }
    };
  }

  private static String binary(Expr.Binary b) {
    String l = wrap(b.left());
    String r = wrap(b.right());
    return switch (b.op()) {
      case EQ -> l + " == " + r;
      case NEQ -> l + " != " + r;
      case LT -> l + " < " + r;
      case LE -> l + " <= " + r;
      case GT -> l + " > " + r;
      case GE -> l + " >= " + r;
      case ADD -> l + " + " + r;
      case SUB -> l + " - " + r;
      case MUL -> l + " * " + r;
      case IN -> l + " in " + r;
      case CONTAINS -> l + ".contains(" + print(b.right()) + ")";
      case CONTAINS_ALL -> l + ".containsAll(" + print(b.right()) + ")";
      case CONTAINS_ANY -> l + ".containsAny(" + print(b.right()) + ")";
      case GET_TAG -> l + ".getTag(" + print(b.right()) + ")";
      case HAS_TAG -> l + ".hasTag(" + print(b.right()) + ")";
    };
  }

  /** Atoms print bare; everything else in parentheses. */
  private static String wrap(Expr e) {
    String s = print(e);
    boolean atom =
        e instanceof Expr.Var
            || e instanceof Expr.Slot
            || e instanceof Expr.SetLit
            || e instanceof Expr.RecordLit
            || e instanceof Expr.Lit l && !(l.value() instanceof LongValue lv && lv.value() < 0);
    return atom ? s : "(" + s + ")";
  }

  private static String escapePattern(dev.bulwark.policy.internal.ast.Pattern pattern) {
    StringBuilder out = new StringBuilder();
    for (var element : pattern.elements()) {
      switch (element) {
        case dev.bulwark.policy.internal.ast.Pattern.Wildcard w -> out.append('*');
        case dev.bulwark.policy.internal.ast.Pattern.Char c -> {
          if (c.codePoint() == '*') {
            out.append("\\*");
          } else {
            String q = CedarText.quote(Character.toString(c.codePoint()));
            out.append(q, 1, q.length() - 1);
          }
        }
      }
    }
    return out.toString();
  }
}
