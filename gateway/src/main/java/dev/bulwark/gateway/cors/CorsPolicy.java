package dev.bulwark.gateway.cors;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A route's cross-origin policy (Fetch standard, "CORS protocol"): which browser origins may call
 * the route, with which methods and request headers. The gateway answers preflights itself, before
 * authentication (a preflight carries no credentials), and adds the response headers to actual
 * requests from an allowed origin. An origin that is not allowed gets no CORS headers at all, so
 * the browser withholds the response from the page.
 *
 * @param allowedOrigins exact origins ({@code https://app.example.com}), or {@code *} alone
 * @param allowedMethods methods a cross-origin request may use
 * @param allowedHeaders request headers it may send, lower case ({@code authorization} is needed
 *     for bearer tokens)
 * @param exposedHeaders response headers a page may read
 * @param allowCredentials whether the browser may send cookies or client certificates; never with
 *     {@code *}
 * @param maxAge how long a browser may cache a preflight answer
 */
public record CorsPolicy(
    Set<String> allowedOrigins,
    Set<String> allowedMethods,
    Set<String> allowedHeaders,
    Set<String> exposedHeaders,
    boolean allowCredentials,
    Duration maxAge) {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Response headers a page may read unless a route says otherwise. */
  public static final Set<String> DEFAULT_EXPOSED =
      Set.of("x-request-id", "ratelimit", "ratelimit-policy", "retry-after");

  public CorsPolicy {
    allowedOrigins = Set.copyOf(allowedOrigins);
    allowedMethods = upper(allowedMethods, "allowedMethods");
    allowedHeaders = lower(allowedHeaders, "allowedHeaders");
    exposedHeaders = lower(exposedHeaders, "exposedHeaders");
    requireNonNull(maxAge, "maxAge");
    if (allowedOrigins.isEmpty()) {
      throw new IllegalArgumentException(
          "allowedOrigins: empty (expected: origins such as https://app.example.com, or *)");
    }
    if (allowedOrigins.contains("*")) {
      if (allowedOrigins.size() > 1) {
        throw new IllegalArgumentException("allowedOrigins: * must be the only entry");
      }
      if (allowCredentials) {
        // Fetch standard: a credentialed response may not use the wildcard; echoing any origin
        // with credentials would hand every site the user's session.
        throw new IllegalArgumentException(
            "allowCredentials: true with allowedOrigins * (expected: list the origins)");
      }
    } else {
      allowedOrigins.forEach(CorsPolicy::checkOrigin);
    }
    if (maxAge.isNegative() || maxAge.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: 0s to 1d)");
    }
  }

  /**
   * The answer to a preflight: the headers to send with 204, or empty if the origin, method or any
   * requested header is not allowed (answer 403 with no CORS headers).
   */
  public Optional<Map<String, String>> preflight(
      String origin, String requestMethod, Optional<String> requestHeaders) {
    if (!originAllowed(origin) || !allowedMethods.contains(requestMethod)) {
      return Optional.empty();
    }
    for (String header : requestHeaders.orElse("").split(",")) {
      String name = header.trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty() && !allowedHeaders.contains(name)) {
        return Optional.empty();
      }
    }
    Map<String, String> headers = commonHeaders(origin);
    headers.put("Access-Control-Allow-Methods", String.join(", ", new TreeSet<>(allowedMethods)));
    if (!allowedHeaders.isEmpty()) {
      headers.put("Access-Control-Allow-Headers", String.join(", ", new TreeSet<>(allowedHeaders)));
    }
    headers.put("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
    return Optional.of(headers);
  }

  /** The headers to add to an actual request's response; empty if the origin is not allowed. */
  public Map<String, String> actual(String origin) {
    if (!originAllowed(origin)) {
      return Map.of();
    }
    Map<String, String> headers = commonHeaders(origin);
    if (!exposedHeaders.isEmpty()) {
      headers.put(
          "Access-Control-Expose-Headers", String.join(", ", new TreeSet<>(exposedHeaders)));
    }
    return headers;
  }

  /** Whether {@code origin} may call the route. */
  public boolean originAllowed(String origin) {
    return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }

  private Map<String, String> commonHeaders(String origin) {
    Map<String, String> headers = new LinkedHashMap<>();
    boolean wildcard = allowedOrigins.contains("*");
    headers.put("Access-Control-Allow-Origin", wildcard ? "*" : origin);
    if (!wildcard) {
      // The answer depends on the Origin: shared caches must not serve it to another origin.
      headers.put("Vary", "Origin");
    }
    if (allowCredentials) {
      headers.put("Access-Control-Allow-Credentials", "true");
    }
    return headers;
  }

  // An origin is scheme://host[:port], nothing more (RFC 6454 §6.2).
  private static void checkOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      boolean plain =
          ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
              && uri.getHost() != null
              && uri.getRawPath().isEmpty()
              && uri.getRawQuery() == null
              && uri.getRawFragment() == null
              && uri.getRawUserInfo() == null
              && origin.equals(origin.toLowerCase(Locale.ROOT));
      if (!plain) {
        throw new IllegalArgumentException(
            "allowedOrigins: '"
                + origin
                + "' (expected: scheme://host[:port] in lower case, e.g. https://app.example.com)");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "allowedOrigins: '" + origin + "' (expected: e.g. https://app.example.com)", e);
    }
  }

  private static Set<String> upper(Set<String> values, String field) {
    return normalized(values, field, true);
  }

  private static Set<String> lower(Set<String> values, String field) {
    return normalized(values, field, false);
  }

  private static Set<String> normalized(Set<String> values, String field, boolean upper) {
    Set<String> out = new TreeSet<>();
    for (String value : values) {
      if (!TOKEN.matcher(value).matches()) {
        throw new IllegalArgumentException(
            field + ": '" + value + "' (expected: an HTTP token such as GET or content-type)");
      }
      out.add(upper ? value.toUpperCase(Locale.ROOT) : value.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(out);
  }

  /** A policy for {@code origins} with the methods and headers an API typically needs. */
  public static CorsPolicy allowing(List<String> origins) {
    return new CorsPolicy(
        Set.copyOf(origins),
        Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"),
        Set.of("authorization", "content-type"),
        DEFAULT_EXPOSED,
        false,
        Duration.ofMinutes(10));
  }
}
