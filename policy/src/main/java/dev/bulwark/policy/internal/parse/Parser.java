package dev.bulwark.policy.internal.parse;

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
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.StringValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A recursive-descent parser for Cedar's policy grammar (docs.cedarpolicy.com, "Grammar
 * specification"). Operators bind as the grammar's levels say: {@code ||} < {@code &&} < relations
 * (non-associative) < {@code + -} < {@code *} < unary < member access.
 */
public final class Parser {
  private static final Set<String> RESERVED =
      Set.of("true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar");
  private static final int MAX_UNARY = 4;
  private static final int MAX_DEPTH = 200;

  private final List<Token> tokens;
  private int pos;
  private int depth;

  private Parser(String src) {
    this.tokens = Lexer.tokenize(src);
  }

  /** Parses a policy file: zero or more policies and templates, in file order. */
  public static List<PolicyDef> parsePolicies(String src) {
    Parser p = new Parser(src);
    List<PolicyDef> policies = new ArrayList<>();
    while (p.peek().kind() != Token.Kind.EOF) {
      policies.add(p.policy());
    }
    return policies;
  }

  /** Parses exactly one expression. */
  public static Expr parseExpression(String src) {
    Parser p = new Parser(src);
    Expr e = p.expr();
    p.expectEof();
    return e;
  }

  /** Parses an entity uid such as {@code Ns::User::"alice"}. */
  public static EntityUid parseEntityUid(String src) {
    Parser p = new Parser(src);
    EntityUid uid = p.entityUid();
    p.expectEof();
    return uid;
  }

  /** Parses a (possibly namespaced) entity type name such as {@code Ns::User}. */
  public static String parseName(String src) {
    Parser p = new Parser(src);
    String name = p.path();
    p.expectEof();
    return name;
  }

  // ---- policies

  private PolicyDef policy() {
    Token start = peek();
    Map<String, String> annotations = new LinkedHashMap<>();
    while (peek().is("@")) {
      Token at = advance();
      String key = ident("an annotation name");
      String value = "";
      if (accept("(")) {
        value = unescape(expect(Token.Kind.STRING, "an annotation value"));
        expect(")");
      }
      if (annotations.put(key, value) != null) {
        throw error(at, "duplicate annotation @" + key);
      }
    }
    Token effectToken = advance();
    Effect effect =
        switch (effectToken.text()) {
          case "permit" -> Effect.PERMIT;
          case "forbid" -> Effect.FORBID;
          default ->
              throw error(
                  effectToken, "expected 'permit' or 'forbid', found " + effectToken.describe());
        };
    expect("(");
    keyword("principal");
    ScopeConstraint principal = entityScope(SlotId.PRINCIPAL);
    expect(",");
    keyword("action");
    ActionConstraint action = actionScope();
    expect(",");
    keyword("resource");
    ScopeConstraint resource = entityScope(SlotId.RESOURCE);
    expect(")");
    List<Condition> conditions = new ArrayList<>();
    while (peek().is("when") || peek().is("unless")) {
      boolean when = advance().text().equals("when");
      expect("{");
      if (peek().is("}")) {
        throw error(peek(), "a " + (when ? "when" : "unless") + " clause needs a condition");
      }
      conditions.add(new Condition(when, expr()));
      expect("}");
    }
    expect(";");
    return new PolicyDef(
        annotations,
        effect,
        principal,
        action,
        resource,
        conditions,
        Optional.of(new PolicyDef.Position(start.line(), start.column())));
  }

  private ScopeConstraint entityScope(SlotId slot) {
    if (accept("==")) {
      return new ScopeConstraint.Eq(entityOrSlot(slot));
    }
    if (accept("in")) {
      return new ScopeConstraint.In(entityOrSlot(slot));
    }
    if (accept("is")) {
      String type = path();
      Optional<EntityRef> in = accept("in") ? Optional.of(entityOrSlot(slot)) : Optional.empty();
      return new ScopeConstraint.Is(type, in);
    }
    return new ScopeConstraint.Any();
  }

  private EntityRef entityOrSlot(SlotId slot) {
    if (peek().is("?")) {
      Token q = advance();
      String name = ident("a slot name");
      if (!("?" + name).equals(slot.text())) {
        throw error(q, "expected slot " + slot.text() + ", found ?" + name);
      }
      return new EntityRef.SlotRef(slot);
    }
    return new EntityRef.Literal(entityUid());
  }

  private ActionConstraint actionScope() {
    if (accept("==")) {
      return new ActionConstraint.Eq(actionUid());
    }
    if (accept("in")) {
      if (accept("[")) {
        List<EntityUid> actions = new ArrayList<>();
        if (!peek().is("]")) {
          do {
            actions.add(actionUid());
          } while (accept(","));
        }
        expect("]");
        return new ActionConstraint.InSet(actions);
      }
      return new ActionConstraint.In(actionUid());
    }
    if (peek().is("is")) {
      throw error(peek(), "'is' is not allowed in the action scope");
    }
    return new ActionConstraint.Any();
  }

  private EntityUid actionUid() {
    Token start = peek();
    EntityUid uid = entityUid();
    if (!uid.type().equals("Action") && !uid.type().endsWith("::Action")) {
      throw error(start, "expected an action entity (type Action), found " + uid);
    }
    return uid;
  }

  // ---- expressions

  private Expr expr() {
    if (++depth > MAX_DEPTH) {
      throw error(peek(), "expression nested too deeply (limit " + MAX_DEPTH + ")");
    }
    try {
      if (accept("if")) {
        Expr c = expr();
        keyword("then");
        Expr t = expr();
        keyword("else");
        Expr e = expr();
        return new Expr.If(c, t, e);
      }
      return or();
    } finally {
      depth--;
    }
  }

  private Expr or() {
    Expr left = and();
    while (accept("||")) {
      left = new Expr.Or(left, and());
    }
    return left;
  }

  private Expr and() {
    Expr left = relation();
    while (accept("&&")) {
      left = new Expr.And(left, relation());
    }
    return left;
  }

  private Expr relation() {
    Expr left = add();
    Token op = peek();
    BinaryOp binary =
        switch (op.kind() == Token.Kind.STRING ? "" : op.text()) {
          case "==" -> BinaryOp.EQ;
          case "!=" -> BinaryOp.NEQ;
          case "<" -> BinaryOp.LT;
          case "<=" -> BinaryOp.LE;
          case ">" -> BinaryOp.GT;
          case ">=" -> BinaryOp.GE;
          case "in" -> BinaryOp.IN;
          default -> null;
        };
    if (binary != null) {
      advance();
      return new Expr.Binary(binary, left, add());
    }
    if (accept("has")) {
      return hasChain(left);
    }
    if (accept("like")) {
      return new Expr.Like(left, pattern(expect(Token.Kind.STRING, "a pattern string")));
    }
    if (accept("is")) {
      Expr is = new Expr.Is(left, path());
      if (accept("in")) {
        return new Expr.And(is, new Expr.Binary(BinaryOp.IN, left, add()));
      }
      return is;
    }
    return left;
  }

  /** {@code e has a.b.c} means {@code e has a && e.a has b && e.a.b has c} (Cedar RFC 62). */
  private Expr hasChain(Expr target) {
    String first = attributeName();
    Expr result = new Expr.HasAttr(target, first);
    Expr path = new Expr.GetAttr(target, first);
    while (accept(".")) {
      String next = attributeName();
      result = new Expr.And(result, new Expr.HasAttr(path, next));
      path = new Expr.GetAttr(path, next);
    }
    return result;
  }

  private String attributeName() {
    Token t = advance();
    if (t.kind() == Token.Kind.STRING) {
      return unescape(t);
    }
    if (t.kind() == Token.Kind.IDENT) {
      return t.text();
    }
    throw error(t, "expected an attribute name, found " + t.describe());
  }

  private Expr add() {
    Expr left = mult();
    while (peek().is("+") || peek().is("-")) {
      BinaryOp op = advance().text().equals("+") ? BinaryOp.ADD : BinaryOp.SUB;
      left = new Expr.Binary(op, left, mult());
    }
    return left;
  }

  private Expr mult() {
    Expr left = unary();
    while (accept("*")) {
      left = new Expr.Binary(BinaryOp.MUL, left, unary());
    }
    return left;
  }

  private Expr unary() {
    List<Token> ops = new ArrayList<>();
    while (peek().is("!") || peek().is("-")) {
      ops.add(advance());
    }
    if (ops.size() > MAX_UNARY) {
      throw error(ops.get(0), "more than " + MAX_UNARY + " unary operators in a row");
    }
    Expr operand;
    int remaining = ops.size();
    if (remaining > 0 && ops.get(remaining - 1).is("-") && peek().kind() == Token.Kind.INT) {
      // The grammar folds a minus into the literal, so -9223372036854775808 is a valid long.
      Token lit = advance();
      operand = member(new Expr.Lit(new LongValue(parseLong("-" + lit.text(), lit))));
      remaining--;
    } else {
      operand = member(primary());
    }
    for (int i = remaining - 1; i >= 0; i--) {
      operand = new Expr.Unary(ops.get(i).is("!") ? UnaryOp.NOT : UnaryOp.NEG, operand);
    }
    return operand;
  }

  private Expr member(Expr target) {
    Expr e = target;
    while (true) {
      if (accept(".")) {
        Token name = peek();
        String id = ident("an attribute or method name");
        if (accept("(")) {
          List<Expr> args = arguments();
          e = method(name, e, id, args);
        } else {
          e = new Expr.GetAttr(e, id);
        }
      } else if (peek().is("[")) {
        advance();
        e = new Expr.GetAttr(e, unescape(expect(Token.Kind.STRING, "an attribute name string")));
        expect("]");
      } else {
        return e;
      }
    }
  }

  private Expr method(Token at, Expr receiver, String name, List<Expr> args) {
    BinaryOp binary =
        switch (name) {
          case "contains" -> BinaryOp.CONTAINS;
          case "containsAll" -> BinaryOp.CONTAINS_ALL;
          case "containsAny" -> BinaryOp.CONTAINS_ANY;
          case "getTag" -> BinaryOp.GET_TAG;
          case "hasTag" -> BinaryOp.HAS_TAG;
          default -> null;
        };
    if (binary != null) {
      arity(at, name, args, 1);
      return new Expr.Binary(binary, receiver, args.get(0));
    }
    if (name.equals("isEmpty")) {
      arity(at, name, args, 0);
      return new Expr.Unary(UnaryOp.IS_EMPTY, receiver);
    }
    ExtensionFunction f =
        ExtensionFunction.named(name, true)
            .orElseThrow(() -> error(at, "unknown method '" + name + "'"));
    arity(at, name, args, f.arity() - 1);
    List<Expr> all = new ArrayList<>();
    all.add(receiver);
    all.addAll(args);
    return new Expr.Call(f, all);
  }

  private void arity(Token at, String name, List<Expr> args, int expected) {
    if (args.size() != expected) {
      throw error(at, name + " takes " + expected + " argument(s), found " + args.size());
    }
  }

  private List<Expr> arguments() {
    List<Expr> args = new ArrayList<>();
    if (!accept(")")) {
      do {
        args.add(expr());
      } while (accept(","));
      expect(")");
    }
    return args;
  }

  private Expr primary() {
    Token t = peek();
    switch (t.kind()) {
      case INT -> {
        advance();
        return new Expr.Lit(new LongValue(parseLong(t.text(), t)));
      }
      case STRING -> {
        advance();
        return new Expr.Lit(new StringValue(unescape(t)));
      }
      case IDENT -> {
        return identifierExpr();
      }
      case EOF -> throw error(t, "unexpected end of input, expected an expression");
      case PUNCT -> {
        // handled below
      }
    }
    if (accept("(")) {
      Expr e = expr();
      expect(")");
      return e;
    }
    if (accept("[")) {
      List<Expr> elements = new ArrayList<>();
      if (!accept("]")) {
        do {
          elements.add(expr());
        } while (accept(","));
        expect("]");
      }
      return new Expr.SetLit(elements);
    }
    if (accept("{")) {
      Map<String, Expr> attributes = new LinkedHashMap<>();
      if (!accept("}")) {
        do {
          Token keyToken = peek();
          String key = attributeName();
          expect(":");
          if (attributes.put(key, expr()) != null) {
            throw error(keyToken, "duplicate key \"" + key + "\" in record literal");
          }
        } while (accept(","));
        expect("}");
      }
      return new Expr.RecordLit(attributes);
    }
    if (t.is("?")) {
      throw error(t, "template slots may appear only in the policy scope");
    }
    throw error(t, "expected an expression, found " + t.describe());
  }

  private Expr identifierExpr() {
    Token start = peek();
    if (start.is("true") || start.is("false")) {
      advance();
      return new Expr.Lit(BoolValue.of(start.is("true")));
    }
    List<String> segments = new ArrayList<>();
    segments.add(ident("a name"));
    while (peek().is("::")) {
      Token sep = advance();
      if (peek().kind() == Token.Kind.STRING) {
        String id = unescape(advance());
        return new Expr.Lit(new EntityUid(checkPath(start, segments), id));
      }
      if (peek().kind() != Token.Kind.IDENT) {
        throw error(sep, "expected a name or an entity id after '::'");
      }
      segments.add(advance().text());
    }
    if (peek().is("(")) {
      advance();
      String name = String.join("::", segments);
      String bare = name.startsWith("__cedar::") ? name.substring("__cedar::".length()) : name;
      ExtensionFunction f =
          ExtensionFunction.named(bare, false)
              .orElseThrow(() -> error(start, "unknown function '" + name + "'"));
      List<Expr> args = arguments();
      arity(start, name, args, f.arity());
      return new Expr.Call(f, args);
    }
    if (segments.size() == 1) {
      switch (segments.get(0)) {
        case "principal" -> {
          return new Expr.Var(Variable.PRINCIPAL);
        }
        case "action" -> {
          return new Expr.Var(Variable.ACTION);
        }
        case "resource" -> {
          return new Expr.Var(Variable.RESOURCE);
        }
        case "context" -> {
          return new Expr.Var(Variable.CONTEXT);
        }
        default -> {
          // fall through to the error below
        }
      }
    }
    throw error(start, "unknown variable or name '" + String.join("::", segments) + "'");
  }

  private EntityUid entityUid() {
    Token start = peek();
    List<String> segments = new ArrayList<>();
    segments.add(ident("an entity type"));
    while (true) {
      expect("::");
      if (peek().kind() == Token.Kind.STRING) {
        return new EntityUid(checkPath(start, segments), unescape(advance()));
      }
      segments.add(ident("an entity type or id"));
    }
  }

  private String path() {
    Token start = peek();
    List<String> segments = new ArrayList<>();
    segments.add(ident("a type name"));
    while (accept("::")) {
      segments.add(ident("a type name"));
    }
    return checkPath(start, segments);
  }

  private String checkPath(Token at, List<String> segments) {
    for (String s : segments) {
      if (RESERVED.contains(s)) {
        throw error(at, "'" + s + "' is reserved and cannot name a type");
      }
    }
    return String.join("::", segments);
  }

  // ---- strings

  private static Pattern pattern(Token t) {
    List<Pattern.Element> elements = new ArrayList<>();
    Unescaper.decode(
        t,
        true,
        (cp, escapedStar) ->
            elements.add(
                cp == '*' && !escapedStar ? new Pattern.Wildcard() : new Pattern.Char(cp)));
    return new Pattern(elements);
  }

  static String unescape(Token t) {
    StringBuilder out = new StringBuilder();
    Unescaper.decode(t, false, (cp, escapedStar) -> out.appendCodePoint(cp));
    return out.toString();
  }

  private static long parseLong(String text, Token at) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error(at, "integer literal " + text + " does not fit in a 64-bit long");
    }
  }

  // ---- token plumbing

  private Token peek() {
    return tokens.get(pos);
  }

  private Token advance() {
    Token t = tokens.get(pos);
    if (t.kind() != Token.Kind.EOF) {
      pos++;
    }
    return t;
  }

  private boolean accept(String text) {
    if (peek().kind() != Token.Kind.STRING && peek().is(text)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(String text) {
    if (!accept(text)) {
      throw error(peek(), "expected '" + text + "', found " + peek().describe());
    }
  }

  private void keyword(String word) {
    if (!(peek().kind() == Token.Kind.IDENT && peek().text().equals(word))) {
      throw error(peek(), "expected '" + word + "', found " + peek().describe());
    }
    pos++;
  }

  private Token expect(Token.Kind kind, String what) {
    Token t = peek();
    if (t.kind() != kind) {
      throw error(t, "expected " + what + ", found " + t.describe());
    }
    return advance();
  }

  private String ident(String what) {
    return expect(Token.Kind.IDENT, what).text();
  }

  private void expectEof() {
    if (peek().kind() != Token.Kind.EOF) {
      throw error(peek(), "unexpected " + peek().describe() + " after the end");
    }
  }

  static PolicyException error(Token at, String message) {
    return new PolicyException(PolicyException.Code.PARSE_ERROR, at.where() + ": " + message);
  }
}
