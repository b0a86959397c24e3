package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The size and shape limits one route puts on a request before it is forwarded.
 *
 * @param maxBodyBytes the largest body, in bytes
 * @param maxHeaderCount the most header field lines
 * @param maxHeaderBytes the largest header section: the sum of every field's name and value length
 * @param maxUriLength the longest request target (raw path plus {@code ?query})
 * @param maxJsonDepth the deepest nesting of objects and arrays in a JSON body
 * @param maxJsonBytes the largest JSON body, in bytes
 * @param contentTypes the media types (lower case, without parameters) a request with a body may
 *     have, e.g. {@code application/json}; empty means any
 */
public record RequestLimits(
    long maxBodyBytes,
    int maxHeaderCount,
    int maxHeaderBytes,
    int maxUriLength,
    int maxJsonDepth,
    long maxJsonBytes,
    Set<String> contentTypes) {

  public RequestLimits {
    positive("maxBodyBytes", maxBodyBytes);
    positive("maxHeaderCount", maxHeaderCount);
    positive("maxHeaderBytes", maxHeaderBytes);
    positive("maxUriLength", maxUriLength);
    positive("maxJsonDepth", maxJsonDepth);
    positive("maxJsonBytes", maxJsonBytes);
    requireNonNull(contentTypes, "contentTypes");
    for (String type : contentTypes) {
      if (!type.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")) {
        throw new IllegalArgumentException(
            "contentTypes: '"
                + type
                + "' (expected: a lower-case media type without parameters, e.g."
                + " application/json)");
      }
    }
    contentTypes = Set.copyOf(contentTypes);
  }

  /**
   * Limits for a JSON API edge: 1 MiB bodies, 100 header lines in 16 KiB, 4 KiB URIs, JSON nested
   * at most 32 deep, any content type.
   */
  public static RequestLimits defaults() {
    return new RequestLimits(1024 * 1024, 100, 16 * 1024, 4096, 32, 1024 * 1024, Set.of());
  }

  /** These limits, allowing only {@code types} (e.g. {@code application/json}) for bodies. */
  public RequestLimits withContentTypes(String... types) {
    return new RequestLimits(
        maxBodyBytes,
        maxHeaderCount,
        maxHeaderBytes,
        maxUriLength,
        maxJsonDepth,
        maxJsonBytes,
        Set.of(types).stream()
            .map(t -> t.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet()));
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
