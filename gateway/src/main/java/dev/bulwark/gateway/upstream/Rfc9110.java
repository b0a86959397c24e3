package dev.bulwark.gateway.upstream;

/** The character classes of RFC 9110 §5 that requests and responses are checked against. */
final class Rfc9110 {
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private Rfc9110() {}

  /** token = 1*tchar (RFC 9110 §5.6.2). */
  static boolean isToken(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 128 || !TCHAR[c]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index of the first character a field value must not hold, or -1. Allowed: HTAB, SP, VCHAR
   * and obs-text (0x80-0xFF); refused: CR, LF, NUL, every other control character and DEL.
   */
  static int firstInvalidValueChar(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        return i;
      }
    }
    return -1;
  }

  static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  /** A name for an error message: control characters shown as '?', at most 64 characters. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(s.length(), 64); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c >= 0x7f ? '?' : c);
    }
    return s.length() > 64 ? b + "..." : b.toString();
  }
}
