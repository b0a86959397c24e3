package dev.bulwark.platform;

import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.examples.profiles.ProfilesService;
import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.RouteSpec;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.ratelimit.StoreFailure;
import dev.bulwark.gateway.ratelimit.TokenBucket;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.RequestLimits;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The gateway's routes to the reference services when the config file lists none, with default
 * limits: each client may burst 200 requests and then sustain 100 a second, each source address 400
 * and 200 a second (so one client bursting 1,000 requests within a second is throttled), and
 * request bodies must be JSON.
 */
final class ReferenceRoutes {
  static final String PAYMENTS = "payments";
  static final String PROFILES = "profiles";

  /** Per client: 100 a second, bursts of 200. */
  static final RateLimitRule PER_CLIENT =
      new RateLimitRule(
          "per-client", TokenBucket.parse("100/s", 200), LimitKey.CLIENT, StoreFailure.LOCAL);

  /** Per source address: 200 a second, bursts of 400. */
  static final RateLimitRule PER_ADDRESS =
      new RateLimitRule(
          "per-address", TokenBucket.parse("200/s", 400), LimitKey.ADDRESS, StoreFailure.LOCAL);

  private ReferenceRoutes() {}

  static List<RouteSpec> of(Map<String, URI> services, GatewaySettings settings) {
    return List.of(
        route(PAYMENTS, "/payments", services.get(PAYMENTS), PaymentsService.AUDIENCE, settings),
        route(PROFILES, "/profiles", services.get(PROFILES), ProfilesService.AUDIENCE, settings));
  }

  private static RouteSpec route(
      String name, String prefix, URI upstream, String audience, GatewaySettings settings) {
    return RouteSpec.of(
            new Route(name, prefix, upstream, audience),
            UpstreamPolicy.defaults(List.of(upstream), settings.upstreamTimeout()))
        .withRateLimits(List.of(PER_ADDRESS, PER_CLIENT))
        .withLimits(RequestLimits.defaults().withContentTypes("application/json"));
  }
}
