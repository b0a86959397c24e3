package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.gateway.internal.ForwardingProxy;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.validation.RequestScreen;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.BearerAuthenticator;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The gateway: the single HTTPS entry point. Every request to a route is authenticated (JWT
 * signature, issuer, audience, lifetime) and authorized by the route policy (Cedar, docs/policy.md)
 * before it is forwarded to the route's upstream over TLS; the token travels on, so the upstream
 * can verify it again.
 */
public final class Gateway implements AutoCloseable {
  private final HttpListener listener;

  private Gateway(HttpListener listener) {
    this.listener = listener;
  }

  /**
   * Starts the gateway on {@code listener} with the reference route policy (a caller whose token
   * names the route's audience may use the route), reporting policy refusals to the audit log.
   *
   * @param issuer the trusted token issuer
   * @param jwksUri where the issuer publishes its keys
   * @param issuerTls the TLS context for fetching keys
   * @param upstreamTls the TLS context for calling each route's upstream
   */
  public static Gateway start(
      GatewaySettings settings,
      List<Route> routes,
      String issuer,
      URI jwksUri,
      SSLContext issuerTls,
      Function<Route, SSLContext> upstreamTls,
      HttpListener.Builder listener) {
    return start(
        settings,
        routes,
        issuer,
        jwksUri,
        issuerTls,
        upstreamTls,
        RoutePolicy.reference(AuditSink.log(), Clock.systemUTC()),
        listener);
  }

  /**
   * Starts the gateway on {@code listener}: every request is authenticated, then authorized by
   * {@code policy}, and only then forwarded.
   *
   * @param issuer the trusted token issuer
   * @param jwksUri where the issuer publishes its keys
   * @param issuerTls the TLS context for fetching keys
   * @param upstreamTls the TLS context for calling each route's upstream
   * @param policy decides which authenticated requests may pass, and audits its refusals ({@code
   *     policy.decision}); the caller closes it after the gateway
   */
  public static Gateway start(
      GatewaySettings settings,
      List<Route> routes,
      String issuer,
      URI jwksUri,
      SSLContext issuerTls,
      Function<Route, SSLContext> upstreamTls,
      RoutePolicy policy,
      HttpListener.Builder listener) {
    return start(
        settings,
        routes,
        issuer,
        jwksUri,
        issuerTls,
        upstreamTls,
        policy,
        route -> Optional.empty(),
        listener);
  }

  /**
   * Starts the gateway on {@code listener} as above, with each route's requests first checked by
   * the {@link RequestScreen} {@code screens} gives for it (if any): refused requests never reach
   * the upstream.
   */
  public static Gateway start(
      GatewaySettings settings,
      List<Route> routes,
      String issuer,
      URI jwksUri,
      SSLContext issuerTls,
      Function<Route, SSLContext> upstreamTls,
      RoutePolicy policy,
      Function<Route, Optional<RequestScreen>> screens,
      HttpListener.Builder listener) {
    requireNonNull(settings, "settings");
    requireNonNull(policy, "policy");
    if (routes.isEmpty()) {
      throw new IllegalArgumentException("routes: empty (expected: at least one route)");
    }
    List<ForwardingProxy.GuardedRoute> guarded = new ArrayList<>();
    for (Route route : routes) {
      AccessTokenVerifier verifier =
          AccessTokenVerifier.builder()
              .issuer(issuer)
              .audience(route.audience())
              .jwksUri(jwksUri, issuerTls)
              .clockSkew(settings.clockSkew())
              // A token is typically presented many times in its short life; see
              // VerifiedTokenCache.
              .cacheVerifiedTokens(10_000, java.time.Duration.ofMinutes(1))
              .build();
      guarded.add(
          new ForwardingProxy.GuardedRoute(
              route, new BearerAuthenticator(verifier, "bulwark"), screens.apply(route)));
    }
    ForwardingProxy proxy =
        new ForwardingProxy(guarded, upstreamTls, settings.upstreamTimeout(), policy);
    HttpListener started =
        listener
            .maxPayloadSize(settings.maxBodyBytes())
            .observabilityEndpoints(false)
            .acceptCallerRequestIds(false)
            .routes(proxy::register)
            .start();
    return new Gateway(started);
  }

  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    // Pooled upstream connections are closed by their idle timeout once nothing uses them.
    listener.close();
  }
}
