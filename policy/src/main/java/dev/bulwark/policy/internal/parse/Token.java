package dev.bulwark.policy.internal.parse;

/** A lexical token with the position it starts at (1-based line and column). */
record Token(Kind kind, String text, int line, int column) {

  enum Kind {
    IDENT,
    STRING,
    INT,
    PUNCT,
    EOF
  }

  boolean is(String punctOrIdent) {
    return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(punctOrIdent);
  }

  String where() {
    return line + ":" + column;
  }

  String describe() {
    return switch (kind) {
      case EOF -> "end of input";
      case STRING -> "string \"" + text + "\"";
      default -> "'" + text + "'";
    };
  }
}
