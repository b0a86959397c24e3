package dev.bulwark.gateway.internal;

/** RFC 3986 §2.1 percent-encoding, the one way the gateway reads and writes {@code %XX}. */
final class PercentEncoding {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentEncoding() {}

  /** The byte escaped at {@code text[at]} ('%' and two hex digits), or -1 if that is no escape. */
  static int decodedByteAt(String text, int at) {
    if (at + 2 >= text.length()) {
      return -1;
    }
    int high = Character.digit(text.charAt(at + 1), 16);
    int low = Character.digit(text.charAt(at + 2), 16);
    return text.charAt(at) != '%' || high < 0 || low < 0 ? -1 : high * 16 + low;
  }

  /** Appends {@code b} as {@code %XX}, upper-case as RFC 3986 §2.1 recommends. */
  static void appendEscaped(StringBuilder out, int b) {
    out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
  }
}
