package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A request as the gateway received it, for {@link RequestScreen} to check.
 *
 * <p>The constructor copies {@code headers}, except another request's, which cannot change and are
 * shared; {@link #received} builds them once from the fields as received.
 *
 * @param method the method, e.g. {@code POST}
 * @param rawPath the path as sent (percent-encoded)
 * @param rawQuery the query as sent, without {@code ?}, if there was one
 * @param canonicalPath the decoded, canonical path (as {@code CanonicalPath} gives it)
 * @param headers field names in lower case, each with its values in the order received
 * @param body the body, if the request had one
 */
public record InboundRequest(
    String method,
    String rawPath,
    Optional<String> rawQuery,
    String canonicalPath,
    Map<String, List<String>> headers,
    Optional<byte[]> body) {

  public InboundRequest {
    requireNonNull(method, "method");
    requireNonNull(rawPath, "rawPath");
    requireNonNull(rawQuery, "rawQuery");
    requireNonNull(canonicalPath, "canonicalPath");
    requireNonNull(body, "body");
    // Headers a request was made with are checked and immutable already: the same request made
    // again (with its body) shares them.
    if (!(requireNonNull(headers, "headers") instanceof ReceivedHeaders)) {
      headers = ReceivedHeaders.copyOf(headers);
    }
  }

  /**
   * A request as received, before its body is read, with the header fields {@code fields} hands
   * over gathered by lower-cased name. Unlike the constructor, which copies the map it is given, it
   * builds the request's map once, in its final form.
   *
   * @param fields calls its argument with each header field in the order received, as its name as
   *     sent and one value; a field handed over after it has returned is refused with an {@link
   *     IllegalStateException}, so the request cannot change
   */
  public static InboundRequest received(
      String method,
      String rawPath,
      Optional<String> rawQuery,
      String canonicalPath,
      Consumer<BiConsumer<String, String>> fields) {
    requireNonNull(fields, "fields");
    return new InboundRequest(
        method, rawPath, rawQuery, canonicalPath, ReceivedHeaders.gather(fields), Optional.empty());
  }

  /** This request with {@code body}, sharing its headers. */
  public InboundRequest withBody(Optional<byte[]> body) {
    return new InboundRequest(method, rawPath, rawQuery, canonicalPath, headers, body);
  }

  /** The values of header {@code name} (lower case), or none. */
  public List<String> header(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /**
   * Whether the request has a body: a non-empty one was read, or the framing announces one
   * (Transfer-Encoding, or a Content-Length other than 0), so it counts before it is read.
   */
  public boolean hasBody() {
    if (body.map(b -> b.length > 0).orElse(false) || !header("transfer-encoding").isEmpty()) {
      return true;
    }
    return header("content-length").stream().anyMatch(v -> !v.strip().equals("0"));
  }
}
