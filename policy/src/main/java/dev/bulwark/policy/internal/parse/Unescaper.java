package dev.bulwark.policy.internal.parse;

/**
 * Decodes the escapes of a Cedar string literal (backslash n, r, t, 0, quotes, backslash, u{hex};
 * and star in patterns).
 */
final class Unescaper {
  private Unescaper() {}

  interface Sink {
    void accept(int codePoint, boolean escapedStar);
  }

  private static int hex(String digits) {
    for (int k = 0; k < digits.length(); k++) {
      if (Character.digit(digits.charAt(k), 16) < 0) {
        return -1;
      }
    }
    return Integer.parseInt(digits, 16);
  }

  static void decode(Token t, boolean pattern, Sink sink) {
    String raw = t.text();
    int i = 0;
    while (i < raw.length()) {
      int c = raw.codePointAt(i);
      i += Character.charCount(c);
      if (c != '\\') {
        sink.accept(c, false);
        continue;
      }
      if (i >= raw.length()) {
        throw Parser.error(t, "string ends with a lone backslash");
      }
      char e = raw.charAt(i++);
      switch (e) {
        case 'n' -> sink.accept('\n', false);
        case 'r' -> sink.accept('\r', false);
        case 't' -> sink.accept('\t', false);
        case '0' -> sink.accept(0, false);
        case '\\' -> sink.accept('\\', false);
        case '\'' -> sink.accept('\'', false);
        case '"' -> sink.accept('"', false);
        case '*' -> {
          if (!pattern) {
            throw Parser.error(t, "\\* is only valid in a like pattern");
          }
          sink.accept('*', true);
        }
        case 'x' -> {
          // Rust's ASCII escape, which Cedar's unescaper accepts: exactly two hex digits, at most
          // 7F.
          int cp = i + 2 <= raw.length() ? hex(raw.substring(i, i + 2)) : -1;
          if (cp < 0 || cp > 0x7F) {
            throw Parser.error(t, "expected \\x followed by two hex digits up to 7F");
          }
          sink.accept(cp, false);
          i += 2;
        }
        case 'u' -> {
          if (i >= raw.length() || raw.charAt(i) != '{') {
            throw Parser.error(t, "expected \\u{hex} in string");
          }
          int close = raw.indexOf('}', i);
          if (close < 0 || close - i - 1 < 1 || close - i - 1 > 6) {
            throw Parser.error(t, "expected 1 to 6 hex digits in \\u{...}");
          }
          int cp;
          try {
            cp = Integer.parseInt(raw.substring(i + 1, close), 16);
          } catch (NumberFormatException ex) {
            throw Parser.error(t, "bad hex digits in \\u{...}");
          }
          if (cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
            throw Parser.error(
                t, "\\u{" + raw.substring(i + 1, close) + "} is not a Unicode scalar value");
          }
          sink.accept(cp, false);
          i = close + 1;
        }
        default -> throw Parser.error(t, "unknown escape \\" + e);
      }
    }
  }
}
