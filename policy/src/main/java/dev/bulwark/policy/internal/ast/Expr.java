package dev.bulwark.policy.internal.ast;

import dev.bulwark.policy.value.Value;
import java.util.List;
import java.util.Map;

/** A Cedar expression, as the parser builds it and the evaluator and validator walk it. */
public sealed interface Expr {

  /** A literal value: bool, long, string or entity uid. */
  record Lit(Value value) implements Expr {}

  /** One of the four request variables. */
  record Var(Variable variable) implements Expr {}

  /** A template slot, {@code ?principal} or {@code ?resource}; only links replace it. */
  record Slot(SlotId slot) implements Expr {}

  /** {@code if c then t else e}. */
  record If(Expr condition, Expr then, Expr otherwise) implements Expr {}

  /** {@code l && r}, short-circuiting. */
  record And(Expr left, Expr right) implements Expr {}

  /** {@code l || r}, short-circuiting. */
  record Or(Expr left, Expr right) implements Expr {}

  /** A unary operator. */
  record Unary(UnaryOp op, Expr operand) implements Expr {}

  /** A binary operator (comparison, arithmetic, {@code in}, set and tag methods). */
  record Binary(BinaryOp op, Expr left, Expr right) implements Expr {}

  /** {@code e.attr} or {@code e["attr"]}. */
  record GetAttr(Expr target, String attribute) implements Expr {}

  /** {@code e has attr}. */
  record HasAttr(Expr target, String attribute) implements Expr {}

  /** {@code e like "pat*tern"}. */
  record Like(Expr target, Pattern pattern) implements Expr {}

  /** {@code e is Type}. */
  record Is(Expr target, String entityType) implements Expr {}

  /** {@code [a, b, c]}. */
  record SetLit(List<Expr> elements) implements Expr {
    public SetLit {
      elements = List.copyOf(elements);
    }
  }

  /** {@code {a: 1, "b": 2}}; keys are unique. */
  record RecordLit(Map<String, Expr> attributes) implements Expr {
    public RecordLit {
      attributes = Map.copyOf(attributes);
    }
  }

  /**
   * An extension function or method call; a method's receiver is its first argument ({@code
   * a.lessThan(b)} is {@code lessThan(a, b)}).
   */
  record Call(ExtensionFunction function, List<Expr> arguments) implements Expr {
    public Call {
      arguments = List.copyOf(arguments);
    }
  }

  /** The request variables. */
  enum Variable {
    PRINCIPAL,
    ACTION,
    RESOURCE,
    CONTEXT;

    /** The name as written in Cedar. */
    public String cedarName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Unary operators. */
  enum UnaryOp {
    NOT,
    NEG,
    IS_EMPTY
  }

  /** Binary operators. */
  enum BinaryOp {
    EQ,
    NEQ,
    LT,
    LE,
    GT,
    GE,
    ADD,
    SUB,
    MUL,
    IN,
    CONTAINS,
    CONTAINS_ALL,
    CONTAINS_ANY,
    GET_TAG,
    HAS_TAG
  }
}
