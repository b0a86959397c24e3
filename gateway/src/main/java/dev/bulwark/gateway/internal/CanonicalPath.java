package dev.bulwark.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request path reduced to one unambiguous form, so that the path the gateway authorises is byte
 * for byte the path it forwards. Each segment is percent-decoded once and re-encoded (RFC 3986 §3.3
 * pchar, minus ';'); paths that different servers could read differently — dot segments (also as
 * {@code ..;}), empty segments ({@code //}), matrix parameters, encoded '/' or '\', control
 * characters, invalid escapes or UTF-8 — are refused rather than guessed at.
 */
final class CanonicalPath {
  private final String decoded;
  private final String encoded;

  private CanonicalPath(String decoded, String encoded) {
    this.decoded = decoded;
    this.encoded = encoded;
  }

  /** The canonical form of {@code rawPath}, or empty if it is ambiguous or malformed. */
  static Optional<CanonicalPath> of(String rawPath) {
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      return Optional.empty();
    }
    if (rawPath.equals("/")) {
      return Optional.of(new CanonicalPath("/", "/"));
    }
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.substring(1).split("/", -1)) {
      Optional<String> segment = decodeSegment(raw);
      if (segment.isEmpty()) {
        return Optional.empty();
      }
      segments.add(segment.get());
    }
    StringBuilder decoded = new StringBuilder();
    StringBuilder encoded = new StringBuilder();
    for (String segment : segments) {
      decoded.append('/').append(segment);
      encoded.append('/').append(encodeSegment(segment));
    }
    return Optional.of(new CanonicalPath(decoded.toString(), encoded.toString()));
  }

  /** The decoded path, for routing. */
  String decoded() {
    return decoded;
  }

  /** The re-encoded path, for forwarding. */
  String encoded() {
    return encoded;
  }

  private static Optional<String> decodeSegment(String raw) {
    if (raw.isEmpty() || raw.indexOf(';') >= 0 || raw.indexOf('\\') >= 0) {
      return Optional.empty();
    }
    String segment;
    if (raw.indexOf('%') < 0) {
      // Nothing escaped: visible ASCII decodes to itself.
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c > 0x7e || c < 0x21) {
          return Optional.empty();
        }
      }
      segment = raw;
    } else {
      Optional<String> decoded = decodeEscaped(raw);
      if (decoded.isEmpty()) {
        return Optional.empty();
      }
      segment = decoded.get();
    }
    if (segment.equals(".") || segment.equals("..")) {
      return Optional.empty();
    }
    for (int i = 0; i < segment.length(); i++) {
      char ch = segment.charAt(i);
      if (ch == '/' || ch == '\\' || ch == ';' || Character.isISOControl(ch)) {
        return Optional.empty();
      }
    }
    return Optional.of(segment);
  }

  private static Optional<String> decodeEscaped(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int decoded = PercentEncoding.decodedByteAt(raw, i);
        if (decoded < 0) {
          return Optional.empty();
        }
        bytes.write(decoded);
        i += 2;
      } else if (c > 0x7e || c < 0x21) {
        return Optional.empty();
      } else {
        bytes.write(c);
      }
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  // RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; ';' is left encoded.
  private static boolean unreservedOnly(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      if (!unreserved(segment.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  // RFC 3986 §3.3: characters a path segment carries as they are.
  private static boolean unreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
  }

  private static String encodeSegment(String segment) {
    if (unreservedOnly(segment)) {
      return segment;
    }
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (unreserved(c)) {
        out.append((char) c);
      } else {
        PercentEncoding.appendEscaped(out, c);
      }
    }
    return out.toString();
  }
}
