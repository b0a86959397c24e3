package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.gateway.edge.EdgeRequest;
import dev.bulwark.gateway.edge.EdgeResponse;
import dev.bulwark.gateway.edge.EdgeResponses;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.policy.RouteRequest;
import dev.bulwark.gateway.ratelimit.ConcurrencyLimit;
import dev.bulwark.gateway.ratelimit.RateLimitDecision;
import dev.bulwark.gateway.ratelimit.RateLimitHeaders;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.ratelimit.RateLimiter;
import dev.bulwark.gateway.upstream.UpstreamCluster;
import dev.bulwark.gateway.validation.InboundRequest;
import dev.bulwark.gateway.validation.Refusal;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.token.AccessToken;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's handling of one request, start to finish: route by host and path, answer CORS
 * preflights, screen the request (framing, sizes, headers, content type), apply per-address and
 * per-route rate limits, authenticate the token, apply per-client and per-subject limits, ask the
 * route policy, check the body against the route's limits and OpenAPI contract, take a slot of the
 * upstream's concurrency limit, and forward. Every outcome is counted and audited; a refusal is
 * answered before any upstream sees the request.
 *
 * <p>The routes in force are one immutable {@link ActiveRoutes}, swapped whole on reload, so a
 * request is handled entirely under the routes it started with and connections are never dropped.
 */
public final class GatewayPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayPipeline.class);
  private static final String COMPONENT = "gateway";
  private static final String UNMATCHED = "unmatched";

  private final AtomicReference<ActiveRoutes> routes;
  private final RateLimiter limiter;
  private final RoutePolicy policy;
  private final GatewayMetrics metrics;
  private final AuditSink audit;

  public GatewayPipeline(
      ActiveRoutes initial,
      RateLimiter limiter,
      RoutePolicy policy,
      GatewayMetrics metrics,
      AuditSink audit) {
    this.routes = new AtomicReference<>(requireNonNull(initial, "initial"));
    this.limiter = requireNonNull(limiter, "limiter");
    this.policy = requireNonNull(policy, "policy");
    this.metrics = requireNonNull(metrics, "metrics");
    this.audit = requireNonNull(audit, "audit");
  }

  /** Puts {@code next} in force; returns the routes it replaced, for the caller to close. */
  public ActiveRoutes swap(ActiveRoutes next) {
    return routes.getAndSet(requireNonNull(next, "next"));
  }

  /** The routes in force. */
  public ActiveRoutes current() {
    return routes.get();
  }

  /**
   * Whether {@link #handle} will not block for {@code req}, so that it may run on the event loop of
   * the request's connection instead of a thread of its own: no body to read, rate limits held in
   * memory, no token exchange, and a caller whose token is known (or absent), so that no key,
   * issuer or store has to be asked. Everything else a request costs is computation.
   */
  public boolean nonBlocking(EdgeRequest req) {
    if (req.hasBody()) {
      return false;
    }
    Optional<ActiveRoute> matched = routed(req).route();
    if (matched.isEmpty()) {
      return true;
    }
    ActiveRoute route = matched.get();
    return (route.spec().rateLimits().isEmpty() || limiter.answersLocally())
        && !route.upstream().exchangesTokens()
        && route.authenticator().answersWithoutIo(req.first("Authorization"));
  }

  /** Takes {@code req} through the pipeline and answers it on {@code res}. */
  public void handle(EdgeRequest req, EdgeResponse res) {
    Exchange ex = new Exchange(req, res, System.nanoTime());
    res.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    // What is routed and authorised is exactly what is forwarded: one canonical form of the path.
    Routed routed = routed(req);
    Optional<CanonicalPath> path = routed.path();
    Optional<String> query = SafeQuery.of(req.rawQuery());
    if (path.isEmpty() || query.isEmpty()) {
      ex.refuse(400, "invalid_request", "the request path or query is not acceptable", "bad_path");
      return;
    }
    ex.path = path.get().decoded();
    Optional<ActiveRoute> matched = routed.route();
    if (matched.isEmpty()) {
      ex.refuse(404, "not_found", "no route for this path", "no_route");
      return;
    }
    ActiveRoute route = matched.get();
    ex.route = route;
    Optional<String> origin = req.first("Origin");
    if (isPreflight(req, origin)) {
      preflight(ex, route, origin.get());
      return;
    }
    InboundRequest inbound = inbound(req, path.get());
    Optional<Refusal> refused = route.screen().checkHead(inbound);
    if (refused.isPresent()) {
      ex.refuse(refused.get());
      return;
    }
    List<RateLimitDecision> decisions = new ArrayList<>(route.spec().rateLimits().size());
    // Limits by address and route come before the token is checked: a flood of bad tokens is
    // throttled like any other, and costs no signature checks past its limit.
    if (!acquire(ex, route, route.anonymousLimits(), Optional.empty(), decisions)) {
      return;
    }
    Authentication authentication =
        route.authenticator().authenticate(req.first("Authorization"), req.clientCertificate());
    AccessToken token;
    switch (authentication) {
      case Authentication.Challenged challenge -> {
        res.set(challenge.responseHeader().getKey(), challenge.responseHeader().getValue());
        ex.refuse(
            challenge.status(),
            challenge.error(),
            challenge.description(),
            challenge.reason().map(r -> r.name().toLowerCase(Locale.ROOT)).orElse("no_token"));
        return;
      }
      case Authentication.Authenticated ok -> token = ok.token();
    }
    ex.token = token;
    if (!acquire(ex, route, route.callerLimits(), Optional.of(token), decisions)) {
      return;
    }
    RouteRequest request =
        new RouteRequest(token, req.method(), route.spec().route(), ex.path, ex.address());
    Decision decision = policy.decide(request);
    if (!decision.allowed()) {
      // The caller learns that policy refused, not which policy: policy ids are internal; the
      // audit record says which.
      ex.reason = "policy: " + decision.reason();
      ex.refuse(
          403,
          "forbidden",
          "the gateway's policy does not allow " + request.method() + " on this route",
          "policy");
      return;
    }
    Optional<byte[]> body = Optional.empty();
    if (req.hasBody() && route.readsBody(inbound)) {
      Optional<byte[]> read = readBody(ex, route);
      if (read.isEmpty()) {
        return;
      }
      body = read;
    }
    // The whole check (body and contract) runs only for callers who passed authentication, so an
    // anonymous client cannot make the gateway buffer and parse bodies.
    if (body.isPresent() || route.spec().contract().isPresent()) {
      Optional<Refusal> fullyRefused = route.screen().checkAfterHead(inbound.withBody(body));
      if (fullyRefused.isPresent()) {
        ex.refuse(fullyRefused.get());
        return;
      }
    }
    Optional<ConcurrencyLimit.Permit> permit = route.concurrency().tryAcquire();
    if (permit.isEmpty()) {
      res.set("Retry-After", "1");
      ex.refuse(
          503, "upstream_busy", "the upstream has too many requests in flight", "upstream_busy");
      return;
    }
    // The slot is held until the answer is relayed whole, on whichever thread that ends.
    ConcurrencyLimit.Permit held = permit.get();
    CompletionStage<UpstreamCluster.Forwarding> forwarded;
    try {
      RateLimitHeaders.write(route.rateLimitPolicy(), decisions, res::set);
      // Cache-Control: no-store is the upstream hop's to set, on every answer it gives.
      origin.ifPresent(o -> route.spec().cors().ifPresent(c -> c.actual(o).forEach(res::set)));
      forwarded =
          route.upstream().forward(req, res, path.get().encoded() + query.get(), body, out -> {});
    } catch (RuntimeException e) {
      held.close();
      throw e;
    }
    res.completesWith(
        forwarded.whenComplete(
            (result, failure) -> {
              held.close();
              if (result != null) {
                ex.forwarded(result);
              }
            }));
  }

  // The request's canonical path and route under the routes in force, worked out once per request
  // (nonBlocking asks first) unless the routes were swapped in between.
  private Routed routed(EdgeRequest req) {
    ActiveRoutes current = routes.get();
    if (req.note().orElse(null) instanceof Routed noted && noted.routes() == current) {
      return noted;
    }
    Optional<CanonicalPath> path = CanonicalPath.of(req.rawPath());
    Routed routed =
        new Routed(
            current, path, path.flatMap(p -> current.table().match(req.authority(), p.decoded())));
    req.note(routed);
    return routed;
  }

  private record Routed(
      ActiveRoutes routes, Optional<CanonicalPath> path, Optional<ActiveRoute> route) {}

  private static boolean isPreflight(EdgeRequest req, Optional<String> origin) {
    return req.method().equals("OPTIONS")
        && origin.isPresent()
        && req.first("Access-Control-Request-Method").isPresent();
  }

  private void preflight(Exchange ex, ActiveRoute route, String origin) {
    EdgeRequest req = ex.req;
    Optional<Map<String, String>> allowed =
        route
            .spec()
            .cors()
            .flatMap(
                cors ->
                    cors.preflight(
                        origin,
                        req.first("Access-Control-Request-Method").orElse(""),
                        req.first("Access-Control-Request-Headers")));
    if (allowed.isEmpty()) {
      ex.refuse(403, "cors_refused", "this origin may not call this route", "cors");
      return;
    }
    allowed.get().forEach(ex.res::set);
    ex.answered(204, "cors_preflight");
    ex.res.status(204);
    ex.res.send(new byte[0]);
  }

  // Takes one token from each rule's bucket, in order; the first empty bucket refuses with 429.
  private boolean acquire(
      Exchange ex,
      ActiveRoute route,
      List<RateLimitRule> rules,
      Optional<AccessToken> token,
      List<RateLimitDecision> decisions) {
    for (RateLimitRule rule : rules) {
      RateLimitDecision decision = limiter.tryAcquire(rule, key(route, rule, ex, token));
      decisions.add(decision);
      if (!decision.allowed()) {
        RateLimitHeaders.write(route.rateLimitPolicy(), decisions, ex.res::set);
        if (decision.degraded()) {
          ex.refuse(
              503,
              "temporarily_unavailable",
              "the rate-limit store is unavailable",
              "ratelimit_store_unavailable");
        } else {
          ex.refuse(
              429,
              "rate_limited",
              "too many requests; see Retry-After",
              "rate_limited:" + rule.name());
        }
        return false;
      }
    }
    return true;
  }

  // Keys are scoped to the route: two routes' "per-client" limits are separate buckets.
  private static String key(
      ActiveRoute route, RateLimitRule rule, Exchange ex, Optional<AccessToken> token) {
    String name = route.spec().route().name();
    return switch (rule.key()) {
      case ROUTE -> name;
      case ADDRESS -> name + "|" + ex.address();
      case CLIENT -> name + "|" + token.orElseThrow().issuer() + "|" + token.get().clientId();
      case SUBJECT -> name + "|" + token.orElseThrow().issuer() + "|" + token.get().subject();
    };
  }

  private static Optional<byte[]> readBody(Exchange ex, ActiveRoute route) {
    long max = route.spec().limits().maxBodyBytes();
    try (InputStream in = ex.req.body()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        ex.refuse(
            413,
            "request_too_large",
            "the request body is larger than " + max + " bytes",
            "body_too_large");
        return Optional.empty();
      }
      return Optional.of(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InboundRequest inbound(EdgeRequest req, CanonicalPath path) {
    String rawQuery = req.rawQuery();
    return InboundRequest.received(
        req.method(),
        req.rawPath(),
        rawQuery.isEmpty() ? Optional.empty() : Optional.of(rawQuery),
        path.decoded(),
        req::forEachField);
  }

  // One request's way through the pipeline: what is known so far, and how it ends.
  private final class Exchange {
    final EdgeRequest req;
    final EdgeResponse res;
    final long start;
    final String requestId = RequestIds.current().orElse("-");
    ActiveRoute route;
    String path;
    AccessToken token;
    String reason;
    private String address;

    Exchange(EdgeRequest req, EdgeResponse res, long start) {
      this.req = req;
      this.res = res;
      this.start = start;
    }

    String address() {
      if (address == null) {
        address = req.peerAddress();
      }
      return address;
    }

    String routeName() {
      return route == null ? UNMATCHED : route.spec().route().name();
    }

    // A screened request is malformed or hostile: it is answered, and its connection closed,
    // whether or not its body was read.
    void refuse(Refusal refusal) {
      if (!refusal.allow().isEmpty()) {
        res.set("Allow", String.join(", ", new TreeSet<>(refusal.allow())));
      }
      if (req.http1()) {
        res.closeConnection();
      }
      answer(refusal.status(), refusal.error(), refusal.description(), refusal.reason());
    }

    void refuse(int status, String error, String description, String tag) {
      // A body left unread must not stay on the connection, or it could be parsed as the next
      // request (request smuggling; HostileRequestsTest). The connection is closed once the
      // answer is sent. HTTP/2 frames each body, so an unread one cannot be taken for a request:
      // the listener resets the stream instead.
      if (req.http1() && !req.bodyConsumed()) {
        res.closeConnection();
      }
      answer(status, error, description, tag);
    }

    // Recorded before the answer leaves, so that whoever sees the answer can find the record.
    private void answer(int status, String error, String description, String tag) {
      metrics.refused(routeName(), tag, System.nanoTime() - start);
      record(status, tag, status == 401 ? AuditEvent.Outcome.FAILURE : AuditEvent.Outcome.DENIED);
      EdgeResponses.error(res, status, error, description);
    }

    void answered(int status, String tag) {
      metrics.refused(routeName(), tag, System.nanoTime() - start);
      record(status, tag, AuditEvent.Outcome.SUCCESS);
    }

    void forwarded(UpstreamCluster.Forwarding result) {
      int status = res.status();
      if (result == UpstreamCluster.Forwarding.ANSWERED) {
        metrics.forwarded(routeName(), status, System.nanoTime() - start);
        record(status, "forwarded", AuditEvent.Outcome.SUCCESS);
      } else {
        metrics.refused(routeName(), result.tag(), System.nanoTime() - start);
        record(status, result.tag(), AuditEvent.Outcome.FAILURE);
      }
    }

    // Every decision is an audit event, emitted asynchronously (the sink buffers); the path only,
    // never the query string, which can carry secrets.
    private void record(int status, String tag, AuditEvent.Outcome outcome) {
      AuditEvent.Builder event =
          AuditEvent.builder(COMPONENT, "gateway.request", outcome)
              .resource(req.method() + " " + (path == null ? "-" : path))
              .sourceAddress(address())
              .requestId(requestId)
              .reason(reason == null ? tag : reason)
              .attribute("route", routeName())
              .attribute("status", Integer.toString(status));
      if (token != null) {
        event.subject(token.subject()).clientId(token.clientId());
      }
      try {
        audit.emit(event.build());
      } catch (RuntimeException e) {
        LOG.warn("could not record the gateway's decision: {}", e.toString());
      }
    }
  }
}
