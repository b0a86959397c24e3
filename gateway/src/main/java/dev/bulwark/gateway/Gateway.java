package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.gateway.edge.EdgeHandler;
import dev.bulwark.gateway.edge.EdgeListener;
import dev.bulwark.gateway.edge.EdgeRequest;
import dev.bulwark.gateway.edge.EdgeResponse;
import dev.bulwark.gateway.internal.ActiveRoutes;
import dev.bulwark.gateway.internal.GatewayMetrics;
import dev.bulwark.gateway.internal.GatewayPipeline;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.ratelimit.LocalRateLimiter;
import dev.bulwark.gateway.ratelimit.RateLimiter;
import dev.bulwark.runtime.http.HttpListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: the single HTTPS entry point. Every request is routed by host and path, screened
 * (framing, sizes, content type, JSON shape, OpenAPI contract), rate limited, authenticated (JWTs
 * of any trusted issuer, opaque tokens by introspection, certificate-bound tokens against the
 * client certificate), authorized by the route policy (Cedar, docs/policy.md) and only then
 * forwarded to the route's upstream over mutual TLS; the token travels on (or is exchanged), so the
 * upstream can verify it again. Every decision is counted and audited. Routes, limits and issuers
 * can be replaced while the gateway runs ({@link #reload}); connections are not dropped.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final EdgeListener listener;
  private final GatewayPipeline pipeline;
  private final ActiveRoutes.Environment environment;
  private final GatewayMetrics metrics;
  private final Object reloading = new Object();

  private Gateway(
      EdgeListener listener,
      GatewayPipeline pipeline,
      ActiveRoutes.Environment environment,
      GatewayMetrics metrics) {
    this.listener = listener;
    this.pipeline = pipeline;
    this.environment = environment;
    this.metrics = metrics;
  }

  /** Starts building a gateway. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the gateway on {@code listener} with the reference route policy (a caller whose token
   * names the route's audience may use the route), one issuer, and default limits.
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
   * Starts the gateway on {@code listener} for plain routes (default limits, one upstream each) and
   * one issuer's ES256 tokens; every request is authenticated, then authorized by {@code policy},
   * and only then forwarded.
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
    return builder()
        .settings(settings)
        .routes(GatewayRoutes.plain(settings, routes, issuer, jwksUri))
        .issuerTls(issuerTls)
        .upstreamTls(upstreamTls)
        .policy(policy)
        .listener(listener)
        .start();
  }

  /**
   * Replaces the routes, limits and issuers; requests already under way finish under the old ones.
   *
   * @throws GatewayException with {@link GatewayException.Code#INVALID_ROUTES} if {@code routes}
   *     cannot be applied; the routes in force stay
   */
  public void reload(GatewayRoutes routes) {
    requireNonNull(routes, "routes");
    reload(() -> routes);
  }

  /**
   * Reads new routes with {@code read} (e.g. from the config file) and puts them in force; if
   * reading or applying them fails, the routes in force stay, the refusal is counted ({@code
   * gateway.config.reloads{outcome="refused"}}) and the exception is rethrown.
   */
  public void reload(Supplier<GatewayRoutes> read) {
    synchronized (reloading) {
      ActiveRoutes next;
      try {
        next = ActiveRoutes.build(read.get(), Optional.of(pipeline.current()), environment);
      } catch (RuntimeException e) {
        metrics.reloaded(false);
        throw e;
      }
      ActiveRoutes old = pipeline.swap(next);
      old.retire(next);
      metrics.reloaded(true);
      LOG.info("gateway routes reloaded: {} routes", next.table().routes().size());
    }
  }

  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    listener.close();
    pipeline.current().close();
  }

  /** Builds and starts a {@link Gateway}. */
  public static final class Builder {
    private GatewaySettings settings = GatewaySettings.defaults();
    private GatewayRoutes routes;
    private SSLContext issuerTls;
    private Function<Route, SSLContext> upstreamTls;
    private RoutePolicy policy;
    private AuditSink audit = AuditSink.log();
    private MeterRegistry registry = new SimpleMeterRegistry();
    private RateLimiter limiter;
    private Optional<ActiveRoutes.ExchangeClient> exchange = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private HttpListener.Builder listener;

    private Builder() {}

    public Builder settings(GatewaySettings settings) {
      this.settings = requireNonNull(settings, "settings");
      return this;
    }

    /** The routes and trusted issuers to start with. */
    public Builder routes(GatewayRoutes routes) {
      this.routes = requireNonNull(routes, "routes");
      return this;
    }

    /** Trust for reaching issuers (JWKS, introspection) and the token endpoint. */
    public Builder issuerTls(SSLContext tls) {
      this.issuerTls = requireNonNull(tls, "tls");
      return this;
    }

    /** The TLS context (with the gateway's client certificate) for each route's upstream. */
    public Builder upstreamTls(Function<Route, SSLContext> tls) {
      this.upstreamTls = requireNonNull(tls, "tls");
      return this;
    }

    /** The route policy; the caller closes it after the gateway. */
    public Builder policy(RoutePolicy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** Where every decision is recorded (default: the audit log). */
    public Builder audit(AuditSink audit) {
      this.audit = requireNonNull(audit, "audit");
      return this;
    }

    /** Where the per-route metrics go. */
    public Builder metrics(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
      return this;
    }

    /** The rate limiter (default: this gateway's own memory); the caller closes it. */
    public Builder rateLimiter(RateLimiter limiter) {
      this.limiter = requireNonNull(limiter, "limiter");
      return this;
    }

    /** The gateway's client at the token endpoint, for routes that exchange tokens. */
    public Builder tokenExchange(URI tokenEndpoint, String clientId, String clientSecret) {
      this.exchange =
          Optional.of(new ActiveRoutes.ExchangeClient(tokenEndpoint, clientId, clientSecret));
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The listener to serve on (TLS set); the gateway sets its limits and routes. */
    public Builder listener(HttpListener.Builder listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Starts the gateway.
     *
     * @throws GatewayException if the routes cannot be applied
     */
    public Gateway start() {
      requireNonNull(routes, "routes: not set");
      requireNonNull(issuerTls, "issuerTls: not set");
      requireNonNull(upstreamTls, "upstreamTls: not set");
      requireNonNull(policy, "policy: not set");
      requireNonNull(listener, "listener: not set");
      ActiveRoutes.Environment environment =
          new ActiveRoutes.Environment(issuerTls, upstreamTls, exchange, clock);
      ActiveRoutes initial = ActiveRoutes.build(routes, Optional.empty(), environment);
      GatewayMetrics metrics = new GatewayMetrics(registry);
      GatewayPipeline pipeline =
          new GatewayPipeline(
              initial,
              limiter == null ? LocalRateLimiter.create() : limiter,
              policy,
              metrics,
              audit);
      try {
        // The gateway serves on its own Netty listener (EdgeListener), configured like any other.
        EdgeListener started =
            EdgeListener.start(
                listener.maxPayloadSize(settings.maxBodyBytes()).settings(),
                new EdgeHandler() {
                  @Override
                  public void handle(EdgeRequest req, EdgeResponse res) {
                    pipeline.handle(req, res);
                  }

                  @Override
                  public boolean nonBlocking(EdgeRequest req) {
                    return pipeline.nonBlocking(req);
                  }
                });
        return new Gateway(started, pipeline, environment, metrics);
      } catch (RuntimeException e) {
        initial.close();
        throw e;
      }
    }
  }
}
