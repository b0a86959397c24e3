package dev.bulwark.gateway;

import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.RequestLimits;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the gateway reloads as one: its routes and the issuers whose tokens it trusts. A new set is
 * checked whole before it replaces the old one, so a bad file changes nothing.
 *
 * @param routes the routes, at least one
 * @param issuers the trusted token issuers, at least one
 */
public record GatewayRoutes(List<RouteSpec> routes, List<TrustedIssuer> issuers) {
  /**
   * Plain routes: one upstream each, bodies up to {@code settings.maxBodyBytes()}, no rate limits,
   * contract or CORS, for the ES256, RS256 and EdDSA tokens of one issuer.
   */
  public static GatewayRoutes plain(
      GatewaySettings settings, List<Route> routes, String issuer, URI jwksUri) {
    RequestLimits defaults = RequestLimits.defaults();
    RequestLimits limits =
        new RequestLimits(
            settings.maxBodyBytes(),
            defaults.maxHeaderCount(),
            defaults.maxHeaderBytes(),
            defaults.maxUriLength(),
            defaults.maxJsonDepth(),
            settings.maxBodyBytes(),
            defaults.contentTypes());
    List<RouteSpec> specs = new ArrayList<>();
    for (Route route : routes) {
      specs.add(
          RouteSpec.of(
                  route,
                  UpstreamPolicy.defaults(List.of(route.upstream()), settings.upstreamTimeout()))
              .withLimits(limits));
    }
    return new GatewayRoutes(
        specs, List.of(TrustedIssuer.ofJwts(issuer, jwksUri, Set.of("ES256", "RS256", "EdDSA"))));
  }

  public GatewayRoutes {
    routes = List.copyOf(routes);
    issuers = List.copyOf(issuers);
    if (routes.isEmpty()) {
      throw new IllegalArgumentException("routes: empty (expected: at least one route)");
    }
    if (issuers.isEmpty()) {
      throw new IllegalArgumentException("issuers: empty (expected: at least one trusted issuer)");
    }
    Set<String> names = new HashSet<>();
    for (RouteSpec spec : routes) {
      if (!names.add(spec.route().name())) {
        throw new IllegalArgumentException(
            "routes: two routes named '" + spec.route().name() + "' (expected: distinct names)");
      }
    }
    Set<String> issuerNames = new HashSet<>();
    for (TrustedIssuer issuer : issuers) {
      if (!issuerNames.add(issuer.issuer())) {
        throw new IllegalArgumentException(
            "issuers: '" + issuer.issuer() + "' twice (expected: each issuer once)");
      }
    }
  }
}
