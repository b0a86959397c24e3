package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.GatewayException;
import dev.bulwark.gateway.GatewayRoutes;
import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.RouteSpec;
import dev.bulwark.gateway.auth.CallerAuthenticators;
import dev.bulwark.gateway.ratelimit.ConcurrencyLimit;
import dev.bulwark.gateway.ratelimit.RateLimitHeaders;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.upstream.TokenExchange;
import dev.bulwark.gateway.upstream.TokenExchanger;
import dev.bulwark.gateway.upstream.UpstreamCluster;
import dev.bulwark.gateway.validation.RequestScreen;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The routes in force: the route table and the issuers' shared key caches behind it. Built whole
 * from a {@link GatewayRoutes}; a reload builds a new one, carrying over each unchanged route's
 * upstream cluster (its connections, breaker and health state) and concurrency limit.
 *
 * @param table which route serves a request
 * @param authenticators the issuers' key sources and introspection caches
 */
public record ActiveRoutes(RouteTable<ActiveRoute> table, CallerAuthenticators authenticators)
    implements AutoCloseable {
  public ActiveRoutes {
    requireNonNull(table, "table");
    requireNonNull(authenticators, "authenticators");
  }

  /**
   * Where the routes' collaborators come from.
   *
   * @param issuerTls trust for reaching issuers (JWKS, introspection) and the token endpoint
   * @param upstreamTls the TLS context for each route's upstream
   * @param exchange the gateway's own client at the token endpoint, for routes that exchange
   * @param clock the clock
   */
  public record Environment(
      SSLContext issuerTls,
      Function<Route, SSLContext> upstreamTls,
      Optional<ExchangeClient> exchange,
      Clock clock) {
    public Environment {
      requireNonNull(issuerTls, "issuerTls");
      requireNonNull(upstreamTls, "upstreamTls");
      requireNonNull(exchange, "exchange");
      requireNonNull(clock, "clock");
    }
  }

  /**
   * The gateway's own OAuth client, for RFC 8693 token exchange.
   *
   * @param tokenEndpoint the identity provider's token endpoint
   * @param clientId the gateway's client id
   * @param clientSecret its secret; never logged
   */
  public record ExchangeClient(URI tokenEndpoint, String clientId, String clientSecret) {
    public ExchangeClient {
      requireNonNull(tokenEndpoint, "tokenEndpoint");
      requireNonNull(clientId, "clientId");
      requireNonNull(clientSecret, "clientSecret");
    }

    @Override
    public String toString() {
      return "ExchangeClient[" + tokenEndpoint + ", " + clientId + ", secret hidden]";
    }
  }

  /**
   * Builds the routes of {@code config}, reusing from {@code previous} what has not changed.
   *
   * @throws GatewayException if the routes cannot be applied
   */
  public static ActiveRoutes build(
      GatewayRoutes config, Optional<ActiveRoutes> previous, Environment env) {
    Map<String, ActiveRoute> before = new HashMap<>();
    previous.ifPresent(p -> p.table().routes().forEach(r -> before.put(name(r), r)));
    CallerAuthenticators authenticators =
        CallerAuthenticators.create(config.issuers(), env.issuerTls(), env.clock());
    try {
      List<RouteTable.Entry<ActiveRoute>> entries = new ArrayList<>();
      for (RouteSpec spec : config.routes()) {
        ActiveRoute old = before.get(spec.route().name());
        List<List<RateLimitRule>> limits = ActiveRoute.split(spec.rateLimits());
        ActiveRoute route =
            new ActiveRoute(
                spec,
                authenticators.forAudience(spec.route().audience()),
                new RequestScreen(spec.limits(), spec.contract()),
                limits.get(0),
                limits.get(1),
                old != null && old.concurrency().max() == spec.maxConcurrent()
                    ? old.concurrency()
                    : ConcurrencyLimit.of(spec.maxConcurrent()),
                old != null && sameUpstream(old.spec(), spec) ? old.upstream() : cluster(spec, env),
                // In the order they apply: by address or route first, then by caller.
                RateLimitHeaders.policy(
                    java.util.stream.Stream.concat(limits.get(0).stream(), limits.get(1).stream())
                        .toList()));
        entries.add(new RouteTable.Entry<>(spec.host(), spec.route().pathPrefix(), route));
      }
      return new ActiveRoutes(RouteTable.of(entries), authenticators);
    } catch (RuntimeException e) {
      authenticators.close();
      if (e instanceof GatewayException) {
        throw e;
      }
      throw new GatewayException(GatewayException.Code.INVALID_ROUTES, e.getMessage(), e);
    }
  }

  private static boolean sameUpstream(RouteSpec a, RouteSpec b) {
    return a.upstream().equals(b.upstream())
        && a.exchangeFor().equals(b.exchangeFor())
        && a.route().equals(b.route());
  }

  private static UpstreamCluster cluster(RouteSpec spec, Environment env) {
    Optional<TokenExchanger> exchanger = Optional.empty();
    if (spec.exchangeFor().isPresent()) {
      ExchangeClient client =
          env.exchange()
              .orElseThrow(
                  () ->
                      new GatewayException(
                          GatewayException.Code.INVALID_ROUTES,
                          "route "
                              + spec.route().name()
                              + " sets exchange_for, but this gateway has no client at the token"
                              + " endpoint to exchange with (bulwark up does not register one"
                              + " yet: remove exchange_for)"));
      exchanger =
          Optional.of(
              new TokenExchanger(
                  new TokenExchange(
                      client.tokenEndpoint(),
                      client.clientId(),
                      client.clientSecret(),
                      spec.exchangeFor().get()),
                  env.issuerTls(),
                  Duration.ofSeconds(5),
                  env.clock()));
    }
    return new UpstreamCluster(
        spec.route().name(),
        spec.upstream(),
        env.upstreamTls().apply(spec.route()),
        exchanger,
        env.clock());
  }

  private static String name(ActiveRoute route) {
    return route.spec().route().name();
  }

  /**
   * Closes what {@code next} does not carry over: these issuers' fetchers and the upstream clusters
   * of routes that changed. Requests still under way on them finish: a cluster closes only its idle
   * connections.
   */
  public void retire(ActiveRoutes next) {
    authenticators.close();
    Set<UpstreamCluster> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    next.table().routes().forEach(r -> kept.add(r.upstream()));
    for (ActiveRoute route : table.routes()) {
      if (!kept.contains(route.upstream())) {
        route.upstream().close();
      }
    }
  }

  /** Closes everything: the issuers' fetchers and every upstream cluster. */
  @Override
  public void close() {
    authenticators.close();
    table.routes().forEach(r -> r.upstream().close());
  }
}
