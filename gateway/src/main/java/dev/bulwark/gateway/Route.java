package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A route: requests whose path is {@code pathPrefix} or below it go to {@code upstream}, if they
 * carry a token for {@code audience}.
 *
 * @param name the route's name, used in logs and metrics
 * @param pathPrefix e.g. {@code /payments}
 * @param upstream the upstream's base URL (https)
 * @param audience the audience a token must name
 */
public record Route(String name, String pathPrefix, URI upstream, String audience) {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

  public Route {
    requireNonNull(name, "name");
    requireNonNull(pathPrefix, "pathPrefix");
    requireNonNull(upstream, "upstream");
    requireNonNull(audience, "audience");
    if (!isPlainPath(pathPrefix)) {
      throw new IllegalArgumentException(
          "pathPrefix: '" + pathPrefix + "' (expected: /segment[/segment...], no trailing slash)");
    }
    if (!"https".equals(upstream.getScheme())) {
      throw new IllegalArgumentException("upstream: " + upstream + " (expected: an https URL)");
    }
  }

  /** Whether {@code path} (decoded and normalized) falls under this route. */
  public boolean matches(String path) {
    return path.equals(pathPrefix) || path.startsWith(pathPrefix + "/");
  }

  // Segment by segment rather than one nested regex: linear time, and dot-segments are refused.
  private static boolean isPlainPath(String path) {
    if (!path.startsWith("/") || path.endsWith("/")) {
      return false;
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
