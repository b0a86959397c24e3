package dev.bulwark.gateway.internal;

import java.util.Optional;

/**
 * A query string made safe to forward: characters RFC 3986 §3.4 does not allow in a query are
 * percent-encoded, so the upstream URI always parses. Query strings can carry secrets, so they are
 * never logged, and a malformed escape is refused rather than reported back.
 */
final class SafeQuery {
  private static final String ALLOWED = "-._~!$&'()*+,;=:@/?";

  private SafeQuery() {}

  /** {@code ?query} ready to append, {@code ""} for none, or empty if it has a broken escape. */
  static Optional<String> of(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return Optional.of("");
    }
    StringBuilder out = new StringBuilder(rawQuery.length() + 1).append('?');
    for (int i = 0; i < rawQuery.length(); i++) {
      char c = rawQuery.charAt(i);
      if (c == '%') {
        if (PercentEncoding.decodedByteAt(rawQuery, i) < 0) {
          return Optional.empty();
        }
        out.append(c);
      } else if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || ALLOWED.indexOf(c) >= 0) {
        out.append(c);
      } else {
        for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          PercentEncoding.appendEscaped(out, b & 0xff);
        }
      }
    }
    return Optional.of(out.toString());
  }
}
