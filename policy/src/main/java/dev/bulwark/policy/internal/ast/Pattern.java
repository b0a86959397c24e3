package dev.bulwark.policy.internal.ast;

import java.util.List;

/**
 * A {@code like} pattern: literal code points and {@code *} wildcards. Kept as elements rather than
 * a regular expression so that matching is linear-time and no pattern can be turned into a ReDoS.
 */
public record Pattern(List<Element> elements) {
  public Pattern {
    elements = List.copyOf(elements);
  }

  /** A piece of a pattern. */
  public sealed interface Element {}

  /** Matches any sequence of characters, including none. */
  public record Wildcard() implements Element {}

  /** Matches exactly this code point. */
  public record Char(int codePoint) implements Element {}

  /**
   * Whether {@code s} matches the whole pattern (greedy two-pointer match with backtracking to the
   * last star).
   */
  public boolean matches(String s) {
    int[] text = s.codePoints().toArray();
    int t = 0;
    int p = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length) {
      if (p < elements.size() && elements.get(p) instanceof Char c && c.codePoint() == text[t]) {
        t++;
        p++;
      } else if (p < elements.size() && elements.get(p) instanceof Wildcard) {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < elements.size() && elements.get(p) instanceof Wildcard) {
      p++;
    }
    return p == elements.size();
  }

  /** The pattern as a Cedar string literal body (stars escaped where literal). */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Element e : elements) {
      switch (e) {
        case Wildcard w -> out.append('*');
        case Char c -> {
          if (c.codePoint() == '*') {
            out.append("\\*");
          } else {
            out.appendCodePoint(c.codePoint());
          }
        }
      }
    }
    return out.toString();
  }
}
