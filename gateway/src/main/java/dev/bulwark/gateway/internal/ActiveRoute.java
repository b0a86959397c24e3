package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.RouteSpec;
import dev.bulwark.gateway.auth.CallerAuthenticator;
import dev.bulwark.gateway.ratelimit.ConcurrencyLimit;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.upstream.UpstreamCluster;
import dev.bulwark.gateway.validation.InboundRequest;
import dev.bulwark.gateway.validation.RequestScreen;
import java.util.List;
import java.util.Locale;

/**
 * A route as the pipeline runs it: its spec with the objects that enforce it.
 *
 * @param spec what the route enforces
 * @param authenticator checks tokens for the route's audience
 * @param screen request limits and the OpenAPI contract
 * @param anonymousLimits rate limits keyed by address or route, applied before authentication
 * @param callerLimits rate limits keyed by client or subject, applied after it
 * @param concurrency the upstream's in-flight limit
 * @param upstream the upstream targets with their breaker, health and retries
 * @param rateLimitPolicy the route's {@code RateLimit-Policy} header value, all rules listed
 */
public record ActiveRoute(
    RouteSpec spec,
    CallerAuthenticator authenticator,
    RequestScreen screen,
    List<RateLimitRule> anonymousLimits,
    List<RateLimitRule> callerLimits,
    ConcurrencyLimit concurrency,
    UpstreamCluster upstream,
    String rateLimitPolicy) {
  public ActiveRoute {
    requireNonNull(spec, "spec");
    requireNonNull(authenticator, "authenticator");
    requireNonNull(screen, "screen");
    anonymousLimits = List.copyOf(anonymousLimits);
    callerLimits = List.copyOf(callerLimits);
    requireNonNull(concurrency, "concurrency");
    requireNonNull(upstream, "upstream");
    requireNonNull(rateLimitPolicy, "rateLimitPolicy");
  }

  /** Splits the spec's rate limits into those applied before and after authentication. */
  static List<List<RateLimitRule>> split(List<RateLimitRule> rules) {
    List<RateLimitRule> anonymous =
        rules.stream()
            .filter(r -> r.key() == LimitKey.ADDRESS || r.key() == LimitKey.ROUTE)
            .toList();
    List<RateLimitRule> caller =
        rules.stream()
            .filter(r -> r.key() == LimitKey.CLIENT || r.key() == LimitKey.SUBJECT)
            .toList();
    return List.of(anonymous, caller);
  }

  /**
   * Whether the body must be read before forwarding: to check it against the contract, or a JSON
   * body against the depth and size limits. Other bodies stream through.
   */
  boolean readsBody(InboundRequest request) {
    if (spec.contract().isPresent()) {
      return true;
    }
    List<String> type = request.header("content-type");
    if (type.isEmpty()) {
      return false;
    }
    String media = type.getFirst().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return media.equals("application/json") || media.endsWith("+json");
  }
}
