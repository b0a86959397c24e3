package dev.bulwark.policy.schema;

import dev.bulwark.policy.schema.RawSchema.Kind;
import dev.bulwark.policy.schema.RawSchema.RawAction;
import dev.bulwark.policy.schema.RawSchema.RawActionRef;
import dev.bulwark.policy.schema.RawSchema.RawAppliesTo;
import dev.bulwark.policy.schema.RawSchema.RawAttr;
import dev.bulwark.policy.schema.RawSchema.RawCommon;
import dev.bulwark.policy.schema.RawSchema.RawEntity;
import dev.bulwark.policy.schema.RawSchema.RawName;
import dev.bulwark.policy.schema.RawSchema.RawRecord;
import dev.bulwark.policy.schema.RawSchema.RawSet;
import dev.bulwark.policy.schema.RawSchema.RawType;
import dev.bulwark.policy.value.CedarText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Cedar's human-readable schema format (docs.cedarpolicy.com, "Cedar schema format") into a
 * {@link RawSchema}. Annotations are read and dropped.
 */
final class CedarSchemaParser {
  /** Words that cannot name a type or namespace: Cedar's reserved identifiers. */
  private static final Set<String> RESERVED =
      Set.of("true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar");

  private enum T {
    IDENT,
    STRING,
    PUNCT,
    EOF
  }

  private record Token(T kind, String text, int line, int column) {
    String where() {
      return "line " + line + ", column " + column;
    }

    boolean is(String s) {
      return kind != T.STRING && kind != T.EOF && text.equals(s);
    }

    String shown() {
      return switch (kind) {
        case EOF -> "end of input";
        case STRING -> CedarText.quote(text);
        default -> "'" + text + "'";
      };
    }
  }

  private final List<Token> tokens;
  private int pos;
  private final RawSchema out = new RawSchema();

  private CedarSchemaParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static RawSchema parse(String text) {
    CedarSchemaParser parser = new CedarSchemaParser(lex(text));
    parser.schema();
    return parser.out;
  }

  // ---- grammar

  private void schema() {
    Set<String> namespaces = new HashSet<>();
    while (peek().kind() != T.EOF) {
      annotations();
      if (peek().is("namespace")) {
        Token at = next();
        String name = path("a namespace name");
        if (name.equals("__cedar") || name.startsWith("__cedar::") || name.contains("::__cedar")) {
          throw new SchemaException(
              at.where(),
              "namespace " + name + " uses the reserved __cedar (expected: another name)");
        }
        if (!namespaces.add(name)) {
          throw new SchemaException(
              at.where(),
              "namespace " + name + " is declared twice (expected: one block per namespace)");
        }
        expect("{");
        while (!peek().is("}")) {
          if (peek().kind() == T.EOF) {
            throw error(peek(), "'}' closing namespace " + name);
          }
          annotations();
          declaration(name);
        }
        next();
      } else {
        declaration("");
      }
    }
  }

  private void annotations() {
    Set<String> keys = new HashSet<>();
    while (peek().is("@")) {
      next();
      Token key = peek();
      if (!keys.add(ident("an annotation name"))) {
        throw new SchemaException(
            key.where(), "annotation @" + key.text() + " is repeated (expected: once)");
      }
      if (peek().is("(")) {
        next();
        string("the annotation's string");
        expect(")");
      }
    }
  }

  private void declaration(String namespace) {
    Token at = peek();
    if (at.is("entity")) {
      next();
      entity(namespace, at);
    } else if (at.is("action")) {
      next();
      action(namespace, at);
    } else if (at.is("type")) {
      next();
      Token name = peek();
      String id = typeIdent("a common type name");
      expect("=");
      RawType type = type();
      expect(";");
      out.commonTypes.add(new RawCommon(namespace, id, type, name.where()));
    } else if (at.is("namespace")) {
      throw new SchemaException(
          at.where(), "nested namespace (expected: namespace A::B { ... } at top level)");
    } else {
      throw error(at, "'entity', 'action', 'type' or 'namespace'");
    }
  }

  private void entity(String namespace, Token at) {
    List<Token> names = new ArrayList<>();
    do {
      names.add(peek());
      typeIdent("an entity type name");
    } while (accept(","));
    if (accept("enum")) {
      expect("[");
      List<String> ids = new ArrayList<>();
      if (!peek().is("]")) {
        do {
          ids.add(string("an entity id"));
        } while (accept(","));
      }
      expect("]");
      expect(";");
      for (Token n : names) {
        out.entities.add(
            new RawEntity(
                namespace,
                n.text(),
                List.of(),
                new RawRecord(Map.of(), n.where()),
                Optional.empty(),
                Optional.of(List.copyOf(ids)),
                n.where()));
      }
      return;
    }
    List<RawName> memberOf = accept("in") ? typeList(Kind.ENTITY) : List.of();
    RawType shape;
    if (accept("=")) {
      shape = record();
    } else if (peek().is("{")) {
      shape = record();
    } else {
      shape = new RawRecord(Map.of(), at.where());
    }
    Optional<RawType> tags = accept("tags") ? Optional.of(type()) : Optional.empty();
    expect(";");
    for (Token n : names) {
      out.entities.add(
          new RawEntity(namespace, n.text(), memberOf, shape, tags, Optional.empty(), n.where()));
    }
  }

  private void action(String namespace, Token at) {
    List<Token> names = new ArrayList<>();
    do {
      names.add(name("an action name (identifier or string)"));
    } while (accept(","));
    List<RawActionRef> memberOf = new ArrayList<>();
    if (accept("in")) {
      if (accept("[")) {
        do {
          memberOf.add(actionRef());
        } while (accept(","));
        expect("]");
      } else {
        memberOf.add(actionRef());
      }
    }
    Optional<RawAppliesTo> appliesTo = Optional.empty();
    if (accept("appliesTo")) {
      appliesTo = Optional.of(appliesTo(at));
    }
    if (peek().is("attributes")) {
      Token attributes = next();
      expect("{");
      if (!peek().is("}")) {
        throw new SchemaException(
            attributes.where(),
            "action attributes are not supported (expected: 'attributes {}' or none)");
      }
      next();
    }
    expect(";");
    for (Token n : names) {
      out.actions.add(new RawAction(namespace, n.text(), memberOf, appliesTo, n.where()));
    }
  }

  private RawActionRef actionRef() {
    Token at = peek();
    if (at.kind() == T.STRING) {
      next();
      return new RawActionRef(Optional.empty(), at.text(), at.where());
    }
    unreserved(at, "an action name or Path::\"id\"");
    StringBuilder path = new StringBuilder(ident("an action name or Path::\"id\""));
    while (accept("::")) {
      Token t = peek();
      if (t.kind() == T.STRING) {
        next();
        return new RawActionRef(Optional.of(path.toString()), t.text(), at.where());
      }
      unreserved(t, "an identifier");
      path.append("::").append(ident("an identifier or the action's id string"));
    }
    if (path.indexOf("::") >= 0) {
      throw error(peek(), "'::' and the action's id string after " + path);
    }
    return new RawActionRef(Optional.empty(), path.toString(), at.where());
  }

  private RawAppliesTo appliesTo(Token action) {
    expect("{");
    Optional<List<RawName>> principals = Optional.empty();
    Optional<List<RawName>> resources = Optional.empty();
    Optional<RawType> context = Optional.empty();
    while (!peek().is("}")) {
      Token key = peek();
      ident("'principal', 'resource' or 'context'");
      expect(":");
      switch (key.text()) {
        case "principal" -> {
          duplicate(principals, key);
          principals = Optional.of(typeList(Kind.ENTITY));
        }
        case "resource" -> {
          duplicate(resources, key);
          resources = Optional.of(typeList(Kind.ENTITY));
        }
        case "context" -> {
          duplicate(context, key);
          context = Optional.of(type());
        }
        default -> throw error(key, "'principal', 'resource' or 'context'");
      }
      if (!accept(",")) {
        break;
      }
    }
    Token close = expect("}");
    if (principals.isEmpty() || resources.isEmpty()) {
      throw new SchemaException(
          close.where(),
          "appliesTo of the action at "
              + action.where()
              + " lacks "
              + (principals.isEmpty() ? "principal" : "resource")
              + " (expected: both principal and resource)");
    }
    return new RawAppliesTo(
        principals.get(), resources.get(), context.orElse(new RawRecord(Map.of(), close.where())));
  }

  private static void duplicate(Optional<?> seen, Token key) {
    if (seen.isPresent()) {
      throw new SchemaException(key.where(), key.text() + " is declared twice (expected: once)");
    }
  }

  private List<RawName> typeList(Kind kind) {
    if (!accept("[")) {
      return List.of(name(kind));
    }
    List<RawName> names = new ArrayList<>();
    if (!peek().is("]")) {
      do {
        names.add(name(kind));
      } while (accept(","));
    }
    expect("]");
    return List.copyOf(names);
  }

  private RawType type() {
    Token at = peek();
    if (at.is("{")) {
      return record();
    }
    if (at.is("Set") && peekAt(1).is("<")) {
      next();
      next();
      RawType element = type();
      expect(">");
      return new RawSet(element, at.where());
    }
    return name(Kind.ANY);
  }

  private RawName name(Kind kind) {
    Token at = peek();
    return new RawName(path("a type name"), kind, at.where());
  }

  private RawRecord record() {
    Token open = expect("{");
    Map<String, RawAttr> attributes = new LinkedHashMap<>();
    while (!peek().is("}")) {
      annotations();
      Token name = name("an attribute name (identifier or string)");
      boolean required = !accept("?");
      expect(":");
      RawType type = type();
      if (attributes.put(name.text(), new RawAttr(type, required)) != null) {
        throw new SchemaException(
            name.where(), "attribute " + name.text() + " is declared twice (expected: once)");
      }
      if (!accept(",")) {
        break;
      }
    }
    expect("}");
    return new RawRecord(attributes, open.where());
  }

  /** {@code Name := IDENT | STR}: an identifier that is not reserved, or any string. */
  private Token name(String what) {
    Token t = peek();
    if (t.kind() == T.STRING) {
      return next();
    }
    if (t.kind() != T.IDENT) {
      throw error(t, what);
    }
    unreserved(t, what);
    return next();
  }

  /** {@code Path := IDENT {'::' IDENT}}. */
  private String path(String what) {
    unreserved(peek(), what);
    StringBuilder out = new StringBuilder(ident(what));
    while (peek().is("::") && peekAt(1).kind() == T.IDENT) {
      next();
      unreserved(peek(), what);
      out.append("::").append(next().text());
    }
    return out.toString();
  }

  private static void unreserved(Token t, String what) {
    if (t.kind() == T.IDENT && RESERVED.contains(t.text()) && !t.text().equals("__cedar")) {
      throw new SchemaException(
          t.where(), what + ": " + t.text() + " is a reserved word (expected: another identifier)");
    }
  }

  private String typeIdent(String what) {
    Token t = peek();
    String id = ident(what);
    if (RESERVED.contains(id)) {
      throw new SchemaException(
          t.where(), what + ": " + id + " is reserved (expected: another name)");
    }
    return id;
  }

  // ---- token helpers

  private String ident(String what) {
    Token t = peek();
    if (t.kind() != T.IDENT) {
      throw error(t, what);
    }
    return next().text();
  }

  private String string(String what) {
    Token t = peek();
    if (t.kind() != T.STRING) {
      throw error(t, what + " (a quoted string)");
    }
    return next().text();
  }

  private Token expect(String punct) {
    Token t = peek();
    if (!t.is(punct)) {
      throw error(t, "'" + punct + "'");
    }
    return next();
  }

  private boolean accept(String s) {
    if (peek().is(s)) {
      next();
      return true;
    }
    return false;
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.kind() != T.EOF) {
      pos++;
    }
    return t;
  }

  private static SchemaException error(Token found, String expected) {
    return new SchemaException(
        found.where(), "found " + found.shown() + " (expected: " + expected + ")");
  }

  // ---- lexer

  private static List<Token> lex(String text) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int line = 1;
    int lineStart = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        lineStart = ++i;
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int column = i - lineStart + 1;
      if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '_' || Character.isLetter(c) && c < 128) {
        int start = i;
        while (i < n && (text.charAt(i) == '_' || isAsciiLetterOrDigit(text.charAt(i)))) {
          i++;
        }
        tokens.add(new Token(T.IDENT, text.substring(start, i), line, column));
        continue;
      }
      if (c == '"') {
        StringBuilder value = new StringBuilder();
        i++;
        while (true) {
          if (i >= n || text.charAt(i) == '\n') {
            throw new SchemaException(
                "line " + line + ", column " + column,
                "unterminated string (expected: a closing '\"')");
          }
          char s = text.charAt(i);
          if (s == '"') {
            i++;
            break;
          }
          if (s == '\\') {
            i = escape(text, i, value, line, i - lineStart + 1);
          } else {
            value.append(s);
            i++;
          }
        }
        tokens.add(new Token(T.STRING, value.toString(), line, column));
        continue;
      }
      if (c >= '0' && c <= '9') {
        // No schema construct takes a number; reading one lets the parser say what was expected.
        int start = i;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
          i++;
        }
        tokens.add(new Token(T.PUNCT, text.substring(start, i), line, column));
        continue;
      }
      if (c == ':' && i + 1 < n && text.charAt(i + 1) == ':') {
        tokens.add(new Token(T.PUNCT, "::", line, column));
        i += 2;
        continue;
      }
      if ("{}[]<>(),;:=?@".indexOf(c) >= 0) {
        tokens.add(new Token(T.PUNCT, String.valueOf(c), line, column));
        i++;
        continue;
      }
      throw new SchemaException(
          "line " + line + ", column " + column,
          "unexpected character '" + c + "' (expected: an identifier, a string or punctuation)");
    }
    tokens.add(new Token(T.EOF, "", line, n - lineStart + 1));
    return tokens;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return c < 128 && Character.isLetterOrDigit(c);
  }

  /** Reads the escape at {@code text[i] == '\\'} into {@code out}; returns the index after it. */
  private static int escape(String text, int i, StringBuilder out, int line, int column) {
    String where = "line " + line + ", column " + column;
    if (i + 1 >= text.length()) {
      throw new SchemaException(where, "unterminated escape (expected: a character after '\\')");
    }
    char e = text.charAt(i + 1);
    switch (e) {
      case 'n' -> out.append('\n');
      case 'r' -> out.append('\r');
      case 't' -> out.append('\t');
      case '0' -> out.append('\0');
      case '\\', '"', '\'' -> out.append(e);
      case 'u' -> {
        int close = text.indexOf('}', i);
        if (i + 2 >= text.length() || text.charAt(i + 2) != '{' || close < 0 || close - i - 3 > 6) {
          throw new SchemaException(where, "bad unicode escape (expected: \\u{hex})");
        }
        try {
          out.appendCodePoint(Integer.parseInt(text.substring(i + 3, close), 16));
        } catch (IllegalArgumentException ex) {
          throw new SchemaException(
              where, "bad unicode escape (expected: \\u{hex} of a code point)");
        }
        return close + 1;
      }
      default ->
          throw new SchemaException(
              where,
              "unknown escape \\" + e + " (expected: \\n \\r \\t \\0 \\\\ \\\" \\' or \\u{hex})");
    }
    return i + 2;
  }
}
