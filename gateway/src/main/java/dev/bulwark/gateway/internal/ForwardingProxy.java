package dev.bulwark.gateway.internal;

import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.policy.RouteRequest;
import dev.bulwark.gateway.upstream.UpstreamCluster;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.token.BearerAuthenticator;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authenticates requests per route and streams them to the route's upstream and back. */
public final class ForwardingProxy {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardingProxy.class);

  private static final Header HSTS =
      HeaderValues.createCached("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  private static final Header NO_SNIFF =
      HeaderValues.createCached("X-Content-Type-Options", "nosniff");
  private static final Header NO_REFERRER =
      HeaderValues.createCached("Referrer-Policy", "no-referrer");

  private final List<GuardedRoute> routes;
  private final Map<String, UpstreamCluster> clusters = new HashMap<>();
  private final RoutePolicy policy;

  /**
   * A proxy for {@code routes}; each route's upstream is called with the TLS context {@code
   * upstreamTls} gives for it, so each can pin the one workload identity it expects upstream. Every
   * authenticated request is then authorized by {@code policy}, which also audits its refusals.
   */
  public ForwardingProxy(
      List<GuardedRoute> routes,
      Function<Route, SSLContext> upstreamTls,
      Duration upstreamTimeout,
      RoutePolicy policy) {
    this.routes = List.copyOf(routes);
    this.policy = policy;
    for (GuardedRoute guarded : this.routes) {
      Route route = guarded.route();
      clusters.put(
          route.name(),
          new UpstreamCluster(
              route.name(),
              UpstreamPolicy.defaults(List.of(route.upstream()), upstreamTimeout),
              upstreamTls.apply(route),
              Optional.empty(),
              Clock.systemUTC()));
    }
  }

  /** Registers every route, and a JSON 404 for paths no route serves. */
  public void register(HttpRouting.Builder routing) {
    for (GuardedRoute route : routes) {
      String prefix = route.route().pathPrefix();
      routing.any(prefix, (req, res) -> handle(route, req, res));
      routing.any(prefix + "/*", (req, res) -> handle(route, req, res));
    }
    routing.any(
        (req, res) -> secured(res, Status.NOT_FOUND_404, "not_found", "no route for this path"));
  }

  private void handle(GuardedRoute guarded, ServerRequest req, ServerResponse res) {
    addSecurityHeaders(res);
    // What is authorised below is exactly what is forwarded: one canonical form of the path.
    Optional<CanonicalPath> path = CanonicalPath.of(req.path().rawPath());
    Optional<String> query = SafeQuery.of(req.query().rawValue());
    if (path.isEmpty() || query.isEmpty() || !guarded.route().matches(path.get().decoded())) {
      HttpResponses.error(
          res,
          Status.BAD_REQUEST_400,
          "invalid_request",
          "the request path or query is not acceptable");
      return;
    }
    Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
    switch (guarded.authenticator().authenticate(authorization)) {
      case Authentication.Challenged challenge -> {
        LOG.info(
            "refused {} {} on route {}: {}",
            req.prologue().method().text(),
            req.path().path(),
            guarded.route().name(),
            challenge.reason().map(Enum::name).orElse("NO_TOKEN"));
        res.header(challenge.responseHeader().getKey(), challenge.responseHeader().getValue());
        HttpResponses.error(
            res, Status.create(challenge.status()), challenge.error(), challenge.description());
      }
      case Authentication.Authenticated ok -> {
        // Roles, groups and amr come from the verified token alone: a header claiming them is
        // not read, and the identity headers a client sends are stripped before forwarding.
        RouteRequest request =
            new RouteRequest(
                ok.token(),
                req.prologue().method().text(),
                guarded.route(),
                path.get().decoded(),
                PeerAddress.of(req.remotePeer()));
        Decision decision = policy.decide(request);
        if (decision.allowed()) {
          forward(guarded.route(), path.get().encoded() + query.get(), req, res);
        } else {
          refuse(request, decision, res);
        }
      }
    }
  }

  private void refuse(RouteRequest request, Decision decision, ServerResponse res) {
    // The policy.decision audit event is the authorizer's; this line is for the gateway's log.
    LOG.info(
        "policy refused {} on route {} for client_id={}: {} (policy version {})",
        request.method(),
        request.route().name(),
        request.token().clientId(),
        decision.reason(),
        decision.policyVersion());
    // The caller learns that policy refused, not which policy: policy ids are internal.
    HttpResponses.error(
        res,
        Status.FORBIDDEN_403,
        "forbidden",
        "the gateway's policy does not allow " + request.method() + " on this route");
  }

  private void forward(Route route, String pathAndQuery, ServerRequest req, ServerResponse res) {
    clusters.get(route.name()).forward(req, res, pathAndQuery, Optional.empty(), out -> {});
  }

  private static void addSecurityHeaders(ServerResponse res) {
    res.header(HSTS);
    res.header(NO_SNIFF);
    res.header(NO_REFERRER);
  }

  private static void secured(ServerResponse res, Status status, String error, String description) {
    addSecurityHeaders(res);
    HttpResponses.error(res, status, error, description);
  }

  /**
   * A route with the authenticator that guards it.
   *
   * @param route the route
   * @param authenticator checks tokens for the route's audience
   */
  public record GuardedRoute(Route route, BearerAuthenticator authenticator) {}
}
