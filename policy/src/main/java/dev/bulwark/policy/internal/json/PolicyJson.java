package dev.bulwark.policy.internal.json;

import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.internal.ast.ActionConstraint;
import dev.bulwark.policy.internal.ast.Condition;
import dev.bulwark.policy.internal.ast.Effect;
import dev.bulwark.policy.internal.ast.EntityRef;
import dev.bulwark.policy.internal.ast.Expr;
import dev.bulwark.policy.internal.ast.Expr.BinaryOp;
import dev.bulwark.policy.internal.ast.Expr.UnaryOp;
import dev.bulwark.policy.internal.ast.Expr.Variable;
import dev.bulwark.policy.internal.ast.ExtensionFunction;
import dev.bulwark.policy.internal.ast.Pattern;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.ScopeConstraint;
import dev.bulwark.policy.internal.ast.SlotId;
import dev.bulwark.policy.internal.eval.ExpectedType;
import dev.bulwark.policy.internal.eval.ValueJson;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.ExtensionValue;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.SetValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Cedar's JSON policy format (docs.cedarpolicy.com, "JSON policy format"), read and written. The
 * format mirrors the syntax tree: a policy is {@code {effect, principal, action, resource,
 * conditions, annotations}} and an expression is a one-key object naming its operator.
 */
public final class PolicyJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Map<String, BinaryOp> BINARY =
      Map.ofEntries(
          Map.entry("==", BinaryOp.EQ),
          Map.entry("!=", BinaryOp.NEQ),
          Map.entry("<", BinaryOp.LT),
          Map.entry("<=", BinaryOp.LE),
          Map.entry(">", BinaryOp.GT),
          Map.entry(">=", BinaryOp.GE),
          Map.entry("+", BinaryOp.ADD),
          Map.entry("-", BinaryOp.SUB),
          Map.entry("*", BinaryOp.MUL),
          Map.entry("in", BinaryOp.IN),
          Map.entry("contains", BinaryOp.CONTAINS),
          Map.entry("containsAll", BinaryOp.CONTAINS_ALL),
          Map.entry("containsAny", BinaryOp.CONTAINS_ANY),
          Map.entry("getTag", BinaryOp.GET_TAG),
          Map.entry("hasTag", BinaryOp.HAS_TAG));

  private PolicyJson() {}

  // ---- reading

  /**
   * Reads one policy or template.
   *
   * @throws PolicyException {@code PARSE_ERROR} naming the JSON path at fault
   */
  public static PolicyDef readPolicy(JsonNode node, String path) {
    try {
      requireObject(node, path);
      Effect effect =
          switch (ValueJson.text(node.get("effect"), path + ".effect")) {
            case "permit" -> Effect.PERMIT;
            case "forbid" -> Effect.FORBID;
            default -> throw bad(path + ".effect", "expected \"permit\" or \"forbid\"");
          };
      Map<String, String> annotations = new LinkedHashMap<>();
      JsonNode ann = node.get("annotations");
      if (ann != null && !ann.isNull()) {
        requireObject(ann, path + ".annotations");
        for (Map.Entry<String, JsonNode> e : ann.properties()) {
          annotations.put(
              e.getKey(),
              e.getValue().isNull()
                  ? ""
                  : ValueJson.text(e.getValue(), path + ".annotations." + e.getKey()));
        }
      }
      List<Condition> conditions = new ArrayList<>();
      JsonNode conds = node.get("conditions");
      if (conds != null && !conds.isNull()) {
        if (!conds.isArray()) {
          throw bad(path + ".conditions", "expected an array");
        }
        for (int i = 0; i < conds.size(); i++) {
          String at = path + ".conditions[" + i + "]";
          JsonNode c = conds.get(i);
          requireObject(c, at);
          String kind = ValueJson.text(c.get("kind"), at + ".kind");
          if (!kind.equals("when") && !kind.equals("unless")) {
            throw bad(at + ".kind", "expected \"when\" or \"unless\"");
          }
          conditions.add(new Condition(kind.equals("when"), expr(c.get("body"), at + ".body")));
        }
      }
      return new PolicyDef(
          annotations,
          effect,
          scope(node.get("principal"), path + ".principal", SlotId.PRINCIPAL),
          action(node.get("action"), path + ".action"),
          scope(node.get("resource"), path + ".resource", SlotId.RESOURCE),
          conditions);
    } catch (IllegalArgumentException e) {
      throw new PolicyException(PolicyException.Code.PARSE_ERROR, e.getMessage(), e);
    }
  }

  private static ScopeConstraint scope(JsonNode node, String path, SlotId slot) {
    requireObject(node, path);
    return switch (ValueJson.text(node.get("op"), path + ".op")) {
      case "All" -> new ScopeConstraint.Any();
      case "==" -> new ScopeConstraint.Eq(entityRef(node, path, slot));
      case "in" -> new ScopeConstraint.In(entityRef(node, path, slot));
      case "is" -> {
        String type = ValueJson.text(node.get("entity_type"), path + ".entity_type");
        JsonNode in = node.get("in");
        yield new ScopeConstraint.Is(
            type,
            in == null || in.isNull()
                ? Optional.empty()
                : Optional.of(entityRef(in, path + ".in", slot)));
      }
      default -> throw bad(path + ".op", "expected \"All\", \"==\", \"in\" or \"is\"");
    };
  }

  private static EntityRef entityRef(JsonNode node, String path, SlotId slot) {
    if (node.has("slot")) {
      String s = ValueJson.text(node.get("slot"), path + ".slot");
      if (!s.equals(slot.text())) {
        throw bad(path + ".slot", "expected " + slot.text() + ", found " + s);
      }
      return new EntityRef.SlotRef(slot);
    }
    return new EntityRef.Literal(ValueJson.entityUid(node.get("entity"), path + ".entity"));
  }

  private static ActionConstraint action(JsonNode node, String path) {
    requireObject(node, path);
    return switch (ValueJson.text(node.get("op"), path + ".op")) {
      case "All" -> new ActionConstraint.Any();
      case "==" ->
          new ActionConstraint.Eq(ValueJson.entityUid(node.get("entity"), path + ".entity"));
      case "in" -> {
        if (node.has("entities")) {
          JsonNode list = node.get("entities");
          List<EntityUid> uids = new ArrayList<>();
          for (int i = 0; i < list.size(); i++) {
            uids.add(ValueJson.entityUid(list.get(i), path + ".entities[" + i + "]"));
          }
          yield new ActionConstraint.InSet(uids);
        }
        yield new ActionConstraint.In(ValueJson.entityUid(node.get("entity"), path + ".entity"));
      }
      default -> throw bad(path + ".op", "expected \"All\", \"==\" or \"in\"");
    };
  }

  /** Reads an expression. */
  public static Expr expr(JsonNode node, String path) {
    requireObject(node, path);
    if (node.size() != 1) {
      throw bad(path, "an expression is an object with exactly one key, found " + node.size());
    }
    Map.Entry<String, JsonNode> only = node.properties().iterator().next();
    String op = only.getKey();
    JsonNode arg = only.getValue();
    String at = path + "." + op;
    BinaryOp binary = BINARY.get(op);
    if (binary != null) {
      return new Expr.Binary(
          binary, expr(arg.get("left"), at + ".left"), expr(arg.get("right"), at + ".right"));
    }
    return switch (op) {
      case "Value" -> literal(arg, at);
      case "Var" ->
          new Expr.Var(
              switch (ValueJson.text(arg, at)) {
                case "principal" -> Variable.PRINCIPAL;
                case "action" -> Variable.ACTION;
                case "resource" -> Variable.RESOURCE;
                case "context" -> Variable.CONTEXT;
                default -> throw bad(at, "unknown variable");
              });
      case "Slot" ->
          new Expr.Slot(
              switch (ValueJson.text(arg, at)) {
                case "?principal" -> SlotId.PRINCIPAL;
                case "?resource" -> SlotId.RESOURCE;
                default -> throw bad(at, "unknown slot");
              });
      case "!" -> new Expr.Unary(UnaryOp.NOT, expr(arg.get("arg"), at + ".arg"));
      case "neg" -> new Expr.Unary(UnaryOp.NEG, expr(arg.get("arg"), at + ".arg"));
      case "isEmpty" -> new Expr.Unary(UnaryOp.IS_EMPTY, expr(arg.get("arg"), at + ".arg"));
      case "&&" ->
          new Expr.And(expr(arg.get("left"), at + ".left"), expr(arg.get("right"), at + ".right"));
      case "||" ->
          new Expr.Or(expr(arg.get("left"), at + ".left"), expr(arg.get("right"), at + ".right"));
      case "." ->
          new Expr.GetAttr(
              expr(arg.get("left"), at + ".left"), ValueJson.text(arg.get("attr"), at + ".attr"));
      case "has" ->
          hasAttribute(expr(arg.get("left"), at + ".left"), arg.get("attr"), at + ".attr");
      case "like" ->
          new Expr.Like(
              expr(arg.get("left"), at + ".left"), pattern(arg.get("pattern"), at + ".pattern"));
      case "is" -> {
        Expr left = expr(arg.get("left"), at + ".left");
        Expr is = new Expr.Is(left, ValueJson.text(arg.get("entity_type"), at + ".entity_type"));
        JsonNode in = arg.get("in");
        yield in == null || in.isNull()
            ? is
            : new Expr.And(is, new Expr.Binary(BinaryOp.IN, left, expr(in, at + ".in")));
      }
      case "if-then-else" ->
          new Expr.If(
              expr(arg.get("if"), at + ".if"),
              expr(arg.get("then"), at + ".then"),
              expr(arg.get("else"), at + ".else"));
      case "Set" -> {
        if (!arg.isArray()) {
          throw bad(at, "expected an array");
        }
        List<Expr> elements = new ArrayList<>();
        for (int i = 0; i < arg.size(); i++) {
          elements.add(expr(arg.get(i), at + "[" + i + "]"));
        }
        yield new Expr.SetLit(elements);
      }
      case "Record" -> {
        requireObject(arg, at);
        Map<String, Expr> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : arg.properties()) {
          attrs.put(e.getKey(), expr(e.getValue(), at + "." + e.getKey()));
        }
        yield new Expr.RecordLit(attrs);
      }
      default -> call(op, arg, at);
    };
  }

  /**
   * {@code has}: {@code "attr"} is one name, or (RFC 62) a non-empty path of names, {@code e has
   * a.b} meaning {@code e has a && e.a has b}, as in Cedar syntax.
   */
  private static Expr hasAttribute(Expr target, JsonNode attr, String at) {
    if (attr == null || !attr.isArray()) {
      return new Expr.HasAttr(target, ValueJson.text(attr, at));
    }
    if (attr.isEmpty()) {
      throw bad(at, "expected an attribute name or a non-empty array of them");
    }
    String first = ValueJson.text(attr.get(0), at + "[0]");
    Expr result = new Expr.HasAttr(target, first);
    Expr path = new Expr.GetAttr(target, first);
    for (int i = 1; i < attr.size(); i++) {
      String next = ValueJson.text(attr.get(i), at + "[" + i + "]");
      result = new Expr.And(result, new Expr.HasAttr(path, next));
      path = new Expr.GetAttr(path, next);
    }
    return result;
  }

  private static Expr call(String name, JsonNode args, String at) {
    Optional<ExtensionFunction> f =
        ExtensionFunction.named(name, false).or(() -> ExtensionFunction.named(name, true));
    if (f.isEmpty()) {
      throw bad(at, "unknown operator or function '" + name + "'");
    }
    if (!args.isArray() || args.size() != f.get().arity()) {
      throw bad(at, name + " takes " + f.get().arity() + " argument(s) in an array");
    }
    List<Expr> list = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      list.add(expr(args.get(i), at + "[" + i + "]"));
    }
    return new Expr.Call(f.get(), list);
  }

  /**
   * A {@code Value} node: a set or record value is the set or record expression of its elements, as
   * Cedar's own JSON-to-AST conversion builds it, so both syntaxes give the same tree.
   */
  private static Expr literal(JsonNode node, String at) {
    return asExpression(ValueJson.read(node, ExpectedType.ANY, at), at);
  }

  private static Expr asExpression(Value v, String at) {
    return switch (v) {
      case ExtensionValue x ->
          throw bad(
              at,
              "extension values are written as calls, e.g. {\"decimal\": [{\"Value\": \"1.0\"}]}");
      case SetValue s ->
          new Expr.SetLit(s.elements().stream().map(e -> asExpression(e, at)).toList());
      case RecordValue r -> {
        Map<String, Expr> attrs = new LinkedHashMap<>();
        r.attributes().forEach((k, e) -> attrs.put(k, asExpression(e, at)));
        yield new Expr.RecordLit(attrs);
      }
      default -> new Expr.Lit(v);
    };
  }

  private static Pattern pattern(JsonNode node, String at) {
    List<Pattern.Element> elements = new ArrayList<>();
    if (node != null && node.isString()) {
      // The older form: a string in which * is a wildcard (no escape for a literal star).
      node.stringValue()
          .codePoints()
          .forEach(cp -> elements.add(cp == '*' ? new Pattern.Wildcard() : new Pattern.Char(cp)));
      return new Pattern(elements);
    }
    if (node == null || !node.isArray()) {
      throw bad(at, "expected an array of \"Wildcard\" and {\"Literal\": ...}");
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      if (e.isString() && e.stringValue().equals("Wildcard")) {
        elements.add(new Pattern.Wildcard());
      } else if (e.isObject() && e.has("Literal")) {
        ValueJson.text(e.get("Literal"), at + "[" + i + "].Literal")
            .codePoints()
            .forEach(cp -> elements.add(new Pattern.Char(cp)));
      } else {
        throw bad(at + "[" + i + "]", "expected \"Wildcard\" or {\"Literal\": \"...\"}");
      }
    }
    return new Pattern(elements);
  }

  // ---- writing

  /** Writes one policy or template. */
  public static ObjectNode write(PolicyDef p) {
    ObjectNode o = F.objectNode();
    o.put("effect", p.effect() == Effect.PERMIT ? "permit" : "forbid");
    o.set("principal", write(p.principal()));
    o.set("action", write(p.action()));
    o.set("resource", write(p.resource()));
    ArrayNode conditions = o.putArray("conditions");
    for (Condition c : p.conditions()) {
      ObjectNode cn = conditions.addObject();
      cn.put("kind", c.when() ? "when" : "unless");
      cn.set("body", write(c.body()));
    }
    if (!p.annotations().isEmpty()) {
      ObjectNode ann = o.putObject("annotations");
      p.annotations().forEach(ann::put);
    }
    return o;
  }

  private static ObjectNode write(ScopeConstraint c) {
    ObjectNode o = F.objectNode();
    switch (c) {
      case ScopeConstraint.Any a -> o.put("op", "All");
      case ScopeConstraint.Eq eq -> {
        o.put("op", "==");
        ref(o, eq.entity());
      }
      case ScopeConstraint.In in -> {
        o.put("op", "in");
        ref(o, in.entity());
      }
      case ScopeConstraint.Is is -> {
        o.put("op", "is");
        o.put("entity_type", is.entityType());
        is.in().ifPresent(e -> ref(o.putObject("in"), e));
      }
    }
    return o;
  }

  private static void ref(ObjectNode o, EntityRef r) {
    switch (r) {
      case EntityRef.Literal l -> o.set("entity", ValueJson.uidNode(l.uid()));
      case EntityRef.SlotRef s -> o.put("slot", s.slot().text());
    }
  }

  private static ObjectNode write(ActionConstraint c) {
    ObjectNode o = F.objectNode();
    switch (c) {
      case ActionConstraint.Any a -> o.put("op", "All");
      case ActionConstraint.Eq eq -> {
        o.put("op", "==");
        o.set("entity", ValueJson.uidNode(eq.action()));
      }
      case ActionConstraint.In in -> {
        o.put("op", "in");
        o.set("entity", ValueJson.uidNode(in.action()));
      }
      case ActionConstraint.InSet set -> {
        o.put("op", "in");
        ArrayNode list = o.putArray("entities");
        set.actions().forEach(a -> list.add(ValueJson.uidNode(a)));
      }
    }
    return o;
  }

  /** Writes an expression. */
  public static ObjectNode write(Expr e) {
    ObjectNode o = F.objectNode();
    switch (e) {
      case Expr.Lit l -> o.set("Value", ValueJson.write(l.value()));
      case Expr.Var v -> o.put("Var", v.variable().cedarName());
      case Expr.Slot s -> o.put("Slot", s.slot().text());
      case Expr.If i -> {
        ObjectNode in = o.putObject("if-then-else");
        in.set("if", write(i.condition()));
        in.set("then", write(i.then()));
        in.set("else", write(i.otherwise()));
      }
      case Expr.And a -> binary(o, "&&", a.left(), a.right());
      case Expr.Or x -> binary(o, "||", x.left(), x.right());
      case Expr.Unary u ->
          o.putObject(
                  switch (u.op()) {
                    case NOT -> "!";
                    case NEG -> "neg";
                    case IS_EMPTY -> "isEmpty";
                  })
              .set("arg", write(u.operand()));
      case Expr.Binary b -> {
        String name =
            BINARY.entrySet().stream()
                .filter(x -> x.getValue() == b.op())
                .findFirst()
                .orElseThrow()
                .getKey();
        binary(o, name, b.left(), b.right());
      }
      case Expr.GetAttr g -> {
        ObjectNode in = o.putObject(".");
        in.set("left", write(g.target()));
        in.put("attr", g.attribute());
      }
      case Expr.HasAttr h -> {
        ObjectNode in = o.putObject("has");
        in.set("left", write(h.target()));
        in.put("attr", h.attribute());
      }
      case Expr.Like l -> {
        ObjectNode in = o.putObject("like");
        in.set("left", write(l.target()));
        ArrayNode pattern = in.putArray("pattern");
        StringBuilder literal = new StringBuilder();
        for (Pattern.Element el : l.pattern().elements()) {
          switch (el) {
            case Pattern.Char c -> literal.appendCodePoint(c.codePoint());
            case Pattern.Wildcard w -> {
              if (!literal.isEmpty()) {
                pattern.addObject().put("Literal", literal.toString());
                literal.setLength(0);
              }
              pattern.add("Wildcard");
            }
          }
        }
        if (!literal.isEmpty()) {
          pattern.addObject().put("Literal", literal.toString());
        }
      }
      case Expr.Is is -> {
        ObjectNode in = o.putObject("is");
        in.set("left", write(is.target()));
        in.put("entity_type", is.entityType());
      }
      case Expr.SetLit s -> {
        ArrayNode list = o.putArray("Set");
        s.elements().forEach(x -> list.add(write(x)));
      }
      case Expr.RecordLit r -> {
        ObjectNode rec = o.putObject("Record");
        r.attributes().forEach((k, v) -> rec.set(k, write(v)));
      }
      case Expr.Call c -> {
        ArrayNode args = o.putArray(c.function().cedarName());
        c.arguments().forEach(x -> args.add(write(x)));
      }
    }
    return o;
  }

  private static void binary(ObjectNode o, String name, Expr left, Expr right) {
    ObjectNode in = o.putObject(name);
    in.set("left", write(left));
    in.set("right", write(right));
  }

  // ---- plumbing

  private static void requireObject(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw bad(path, "expected an object");
    }
  }

  private static IllegalArgumentException bad(String path, String message) {
    return new IllegalArgumentException(path + ": " + message);
  }
}
