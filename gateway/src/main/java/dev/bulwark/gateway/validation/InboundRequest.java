package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as the gateway received it, for {@link RequestScreen} to check.
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
    Map<String, List<String>> copy = new LinkedHashMap<>();
    requireNonNull(headers, "headers")
        .forEach(
            (name, values) -> {
              if (!name.equals(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                    "headers: name '" + name + "' (expected: lower case)");
              }
              copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            });
    copy.replaceAll((name, values) -> List.copyOf(values));
    headers = java.util.Collections.unmodifiableMap(copy);
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
