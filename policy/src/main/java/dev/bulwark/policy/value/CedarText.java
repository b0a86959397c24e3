package dev.bulwark.policy.value;

/** How strings are written in Cedar source. */
public final class CedarText {
  private CedarText() {}

  /** {@code s} as a Cedar string literal, with the escapes Cedar reads back. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0 -> out.append("\\0");
                default -> {
                  if (c < 0x20 || c == 0x7f) {
                    out.append(String.format("\\u{%x}", c));
                  } else {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.append('"').toString();
  }
}
