package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.cors.CorsPolicy;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.OpenApiContract;
import dev.bulwark.gateway.validation.RequestLimits;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the gateway enforces on one route, in the order it is enforced: the route's host and
 * path prefix, CORS, request limits, the token's audience, rate limits, the route policy, the
 * OpenAPI contract, the upstream's concurrency limit, and how the caller's token is passed on.
 *
 * @param route name, path prefix, the first upstream and the audience a token must name
 * @param host the host the route serves (lower case); empty for any host
 * @param upstream the upstream targets, timeouts, retries, circuit breaker and passive health
 * @param exchangeFor the audience to exchange the caller's token for (RFC 8693) before calling the
 *     upstream; empty to pass the caller's token on as it came
 * @param rateLimits token buckets, each counted per client, subject, address or route
 * @param maxConcurrent at most this many requests in flight to the upstream
 * @param limits size, header, URI, JSON and content-type limits
 * @param contract the OpenAPI document requests must conform to, if any
 * @param cors which browser origins may call the route, if any
 */
public record RouteSpec(
    Route route,
    Optional<String> host,
    UpstreamPolicy upstream,
    Optional<String> exchangeFor,
    List<RateLimitRule> rateLimits,
    int maxConcurrent,
    RequestLimits limits,
    Optional<OpenApiContract> contract,
    Optional<CorsPolicy> cors) {
  // One RFC 1123 label; a host name is checked label by label, in linear time.
  private static final Pattern LABEL = Pattern.compile("[a-z0-9-]{1,63}");

  public RouteSpec {
    requireNonNull(route, "route");
    requireNonNull(host, "host");
    requireNonNull(upstream, "upstream");
    requireNonNull(exchangeFor, "exchangeFor");
    rateLimits = List.copyOf(rateLimits);
    requireNonNull(limits, "limits");
    requireNonNull(contract, "contract");
    requireNonNull(cors, "cors");
    host = host.map(h -> h.toLowerCase(Locale.ROOT));
    if (host.isPresent() && !isHostName(host.get())) {
      throw new IllegalArgumentException(
          "host: '" + host.get() + "' (expected: a host name such as api.example.com, no port)");
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
    }
    Set<String> names = new HashSet<>();
    for (RateLimitRule rule : rateLimits) {
      if (!names.add(rule.name())) {
        throw new IllegalArgumentException(
            "rateLimits: two limits named '" + rule.name() + "' (expected: distinct names)");
      }
    }
  }

  private static boolean isHostName(String host) {
    if (host.isEmpty() || host.length() > 253) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches() || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
    }
    return true;
  }

  /** A route with the default limits, no rate limits, no contract and no CORS. */
  public static RouteSpec of(Route route, UpstreamPolicy upstream) {
    return new RouteSpec(
        route,
        Optional.empty(),
        upstream,
        Optional.empty(),
        List.of(),
        DEFAULT_MAX_CONCURRENT,
        RequestLimits.defaults(),
        Optional.empty(),
        Optional.empty());
  }

  /** In-flight requests to one upstream unless a route says otherwise. */
  public static final int DEFAULT_MAX_CONCURRENT = 1024;

  /** This route with {@code limits} as its request limits. */
  public RouteSpec withLimits(RequestLimits limits) {
    return new RouteSpec(
        route, host, upstream, exchangeFor, rateLimits, maxConcurrent, limits, contract, cors);
  }

  /** This route checked against {@code contract}. */
  public RouteSpec withContract(OpenApiContract contract) {
    return new RouteSpec(
        route,
        host,
        upstream,
        exchangeFor,
        rateLimits,
        maxConcurrent,
        limits,
        Optional.of(contract),
        cors);
  }

  /** This route open to the browser origins {@code cors} allows. */
  public RouteSpec withCors(CorsPolicy cors) {
    return new RouteSpec(
        route,
        host,
        upstream,
        exchangeFor,
        rateLimits,
        maxConcurrent,
        limits,
        contract,
        Optional.of(cors));
  }

  /** This route with {@code rules} as its rate limits. */
  public RouteSpec withRateLimits(List<RateLimitRule> rules) {
    return new RouteSpec(
        route, host, upstream, exchangeFor, rules, maxConcurrent, limits, contract, cors);
  }
}
