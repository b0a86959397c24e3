package dev.bulwark.policy.internal.ast;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The nesting depth of an expression, measured without recursion. The evaluator, validator and
 * printer recurse over the tree, so a policy deeper than a fixed bound ({@code a && b && ...} a
 * hundred thousand times long, say) is refused when it is read rather than overflowing a request
 * thread's stack when it is evaluated.
 */
public final class ExprDepth {
  /** The deepest expression a policy may hold. */
  public static final int MAX = 500;

  private ExprDepth() {}

  private record Frame(Expr expr, int depth) {}

  /** The depth of {@code root}: 1 for a leaf. */
  public static int of(Expr root) {
    int max = 0;
    Deque<Frame> todo = new ArrayDeque<>();
    todo.push(new Frame(root, 1));
    while (!todo.isEmpty()) {
      Frame f = todo.pop();
      max = Math.max(max, f.depth());
      for (Expr child : children(f.expr())) {
        todo.push(new Frame(child, f.depth() + 1));
      }
    }
    return max;
  }

  private static List<Expr> children(Expr e) {
    return switch (e) {
      case Expr.Lit l -> List.of();
      case Expr.Var v -> List.of();
      case Expr.Slot s -> List.of();
      case Expr.If i -> List.of(i.condition(), i.then(), i.otherwise());
      case Expr.And a -> List.of(a.left(), a.right());
      case Expr.Or o -> List.of(o.left(), o.right());
      case Expr.Unary u -> List.of(u.operand());
      case Expr.Binary b -> List.of(b.left(), b.right());
      case Expr.GetAttr g -> List.of(g.target());
      case Expr.HasAttr h -> List.of(h.target());
      case Expr.Like l -> List.of(l.target());
      case Expr.Is is -> List.of(is.target());
      case Expr.SetLit s -> s.elements();
      case Expr.RecordLit r -> List.copyOf(r.attributes().values());
      case Expr.Call c -> c.arguments();
    };
  }
}
