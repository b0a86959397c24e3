package dev.bulwark.gateway.upstream.wire;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request to send to the upstream origin. The client writes {@code Host} (from the origin) and
 * the framing headers itself, so a caller may not set them, nor any other hop-by-hop field (RFC
 * 9110 §7.6.1): a forwarded {@code Content-Length} or {@code Transfer-Encoding} that disagreed with
 * the body sent would let one request be read as two.
 *
 * @param method the method, a token (RFC 9110 §9); CONNECT is not supported
 * @param pathAndQuery the origin-form request target (RFC 9112 §3.2.1): starts with '/', no
 *     whitespace or control characters, already percent-encoded
 * @param headers the header fields to send, in order
 * @param body the content and its framing
 */
public record UpstreamRequest(
    String method, String pathAndQuery, List<HeaderField> headers, RequestBody body) {

  /** Fields the client owns: the origin's authority, message framing and connection management. */
  private static final Set<String> RESERVED =
      Set.of(
          "host",
          "content-length",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "upgrade");

  /** Checks every component; messages name the bad component and what was expected. */
  public UpstreamRequest {
    requireNonNull(method, "method");
    requireNonNull(pathAndQuery, "pathAndQuery");
    requireNonNull(body, "body");
    headers = List.copyOf(requireNonNull(headers, "headers"));
    if (!Rfc9110.isToken(method)) {
      throw new IllegalArgumentException(
          "method: '" + Rfc9110.printable(method) + "' (expected: a token, RFC 9110 §9)");
    }
    if (method.equals("CONNECT")) {
      throw new IllegalArgumentException("method: CONNECT (expected: a method with origin-form)");
    }
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException(
          "pathAndQuery: '"
              + Rfc9110.printable(pathAndQuery)
              + "' (expected: origin-form starting with '/', RFC 9112 §3.2.1)");
    }
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char c = pathAndQuery.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "pathAndQuery: character 0x"
                + Integer.toHexString(c)
                + " at "
                + i
                + " (expected: visible ASCII, percent-encoded)");
      }
    }
    for (HeaderField field : headers) {
      if (RESERVED.contains(field.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "headers: "
                + field.name()
                + " (expected: none of "
                + RESERVED
                + ", which the client writes itself)");
      }
    }
  }

  /** A request without content. */
  public static UpstreamRequest of(String method, String pathAndQuery, List<HeaderField> headers) {
    return new UpstreamRequest(method, pathAndQuery, headers, RequestBody.none());
  }

  /** Whether sending it twice has the effect of sending it once (RFC 9110 §9.2.2). */
  boolean idempotent() {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }
}
