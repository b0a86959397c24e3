package dev.bulwark.policy.internal.parse;

import dev.bulwark.policy.PolicyException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits Cedar source into tokens. String literals keep their raw (still escaped) body: a {@code
 * like} pattern reads {@code \*} differently from an ordinary string, so unescaping is the parser's
 * job.
 */
final class Lexer {
  private static final String[] PUNCTUATION = {
    "::", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "@",
    "!", "-", "+", "*", "<", ">", "?", "="
  };

  private final String src;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Lexer(String src) {
    this.src = src;
  }

  static List<Token> tokenize(String src) {
    Lexer lexer = new Lexer(src);
    List<Token> tokens = new ArrayList<>();
    Token t;
    do {
      t = lexer.next();
      tokens.add(t);
    } while (t.kind() != Token.Kind.EOF);
    return tokens;
  }

  private Token next() {
    skipSpaceAndComments();
    int column = pos - lineStart + 1;
    if (pos >= src.length()) {
      return new Token(Token.Kind.EOF, "", line, column);
    }
    char c = src.charAt(pos);
    if (c == '_' || Character.isLetter(c) && c < 128) {
      int start = pos;
      while (pos < src.length() && isIdentPart(src.charAt(pos))) {
        pos++;
      }
      return new Token(Token.Kind.IDENT, src.substring(start, pos), line, column);
    }
    if (c >= '0' && c <= '9') {
      int start = pos;
      while (pos < src.length() && src.charAt(pos) >= '0' && src.charAt(pos) <= '9') {
        pos++;
      }
      return new Token(Token.Kind.INT, src.substring(start, pos), line, column);
    }
    if (c == '"') {
      int startLine = line;
      int start = ++pos;
      while (pos < src.length() && src.charAt(pos) != '"') {
        if (src.charAt(pos) == '\\') {
          pos++;
        }
        if (pos < src.length() && src.charAt(pos) == '\n') {
          line++;
          lineStart = pos + 1;
        }
        pos++;
      }
      if (pos >= src.length()) {
        throw new PolicyException(
            PolicyException.Code.PARSE_ERROR,
            startLine + ":" + column + ": unterminated string literal");
      }
      return new Token(Token.Kind.STRING, src.substring(start, pos++), startLine, column);
    }
    for (String p : PUNCTUATION) {
      if (src.startsWith(p, pos)) {
        pos += p.length();
        return new Token(Token.Kind.PUNCT, p, line, column);
      }
    }
    throw new PolicyException(
        PolicyException.Code.PARSE_ERROR,
        line + ":" + column + ": unexpected character '" + c + "'");
  }

  private static boolean isIdentPart(char c) {
    return c == '_' || c < 128 && Character.isLetterOrDigit(c);
  }

  private void skipSpaceAndComments() {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (src.startsWith("//", pos)) {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }
}
