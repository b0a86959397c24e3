package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.edge.EdgeException;
import dev.bulwark.gateway.edge.EdgeRequest;
import dev.bulwark.gateway.edge.EdgeResponse;
import dev.bulwark.gateway.edge.EdgeResponses;
import dev.bulwark.gateway.upstream.wire.HeaderField;
import dev.bulwark.gateway.upstream.wire.RequestBody;
import dev.bulwark.gateway.upstream.wire.UpstreamConnections;
import dev.bulwark.gateway.upstream.wire.UpstreamExchange;
import dev.bulwark.gateway.upstream.wire.UpstreamRequest;
import dev.bulwark.runtime.errors.CauseChain;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's upstream: its targets in round robin with passive health checks, a circuit breaker,
 * bounded retries of replayable requests, and optionally token exchange. Bodies are streamed both
 * ways unless the caller already holds the request body.
 */
public final class UpstreamCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCluster.class);

  // RFC 9110 §9.2.2: only these may be repeated without changing the outcome (POST, PATCH may not).
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
  private static final Set<Integer> UNAVAILABLE = Set.of(502, 503, 504);
  private static final int MAX_IDLE_CONNECTIONS = 256;
  // Below the idle timeouts of common servers (Helidon's and nginx's are 60 s or more).
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(50);

  // RFC 9110 §7.6.1: connection-specific fields are not forwarded.
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length",
          "expect",
          "http2-settings");

  // Identity is passed to services only as a token they verify; a client must not assert it.
  private static final Set<String> CLIENT_ASSERTED_IDENTITY =
      Set.of(
          "x-user",
          "x-user-id",
          "x-forwarded-user",
          "x-authenticated-user",
          "x-remote-user",
          "x-client-id",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "forwarded",
          "x-real-ip",
          "x-forwarded-prefix",
          "x-forwarded-port",
          "x-forwarded-server",
          "x-forwarded-client-cert",
          "x-original-url",
          "x-original-uri",
          "x-rewrite-url",
          "x-client-cert",
          "ssl-client-cert");

  private final String route;
  private final UpstreamPolicy policy;
  // One pool of keep-alive connections per target (docs/adr/0001-http-stack.md: the lean client
  // forwards ~1.5x faster than Helidon's WebClient).
  private final Map<URI, UpstreamConnections> connections = new LinkedHashMap<>();
  private final UpstreamTargets targets;
  private final CircuitBreaker breaker;
  private final Optional<TokenExchanger> exchanger;
  private final AtomicLong retries = new AtomicLong();

  /**
   * The upstream of {@code route} (its name, for logs), called over {@code tls} (which pins the
   * workload identity expected upstream); with {@code exchanger} present the caller's token is
   * exchanged for the upstream's, otherwise it is passed on.
   */
  public UpstreamCluster(
      String route,
      UpstreamPolicy policy,
      SSLContext tls,
      Optional<TokenExchanger> exchanger,
      Clock clock) {
    this.route = requireNonNull(route, "route");
    this.policy = requireNonNull(policy, "policy");
    this.exchanger = requireNonNull(exchanger, "exchanger");
    requireNonNull(tls, "tls");
    requireNonNull(clock, "clock");
    this.targets =
        new UpstreamTargets(route, policy.targets(), policy.ejectAfter(), policy.ejectFor(), clock);
    this.breaker = new CircuitBreaker(route, policy.failureThreshold(), policy.openFor(), clock);
    for (URI target : policy.targets()) {
      connections.put(
          target,
          new UpstreamConnections(
              URI.create("https://" + target.getRawAuthority()),
              tls,
              TlsContexts.clientParameters(),
              policy.connectTimeout(),
              policy.requestTimeout(),
              MAX_IDLE_CONNECTIONS,
              IDLE_TIMEOUT));
    }
  }

  /**
   * Forwards an authorized request to a target and streams the answer back to {@code res}.
   *
   * @param pathAndQuery the canonical path and query that was authorized, appended to the target
   * @param body the request body if the caller already read it (which makes idempotent requests
   *     retryable); empty to stream it from {@code req}
   * @param extraHeaders adds headers to each request sent upstream
   * @return how the request ended, for the gateway's metrics and audit
   */
  public Forwarding forward(
      EdgeRequest req,
      EdgeResponse res,
      String pathAndQuery,
      Optional<byte[]> body,
      Consumer<List<HeaderField>> extraHeaders) {
    // The breaker comes first: an open one spares the identity provider the exchange too.
    Optional<Duration> refusal = breaker.admit();
    if (refusal.isPresent()) {
      long seconds = Math.max(1, (refusal.get().toMillis() + 999) / 1000);
      res.set("Retry-After", Long.toString(seconds));
      EdgeResponses.error(
          res, 503, "upstream_unavailable", "the upstream is failing; try again later");
      return Forwarding.BREAKER_OPEN;
    }
    Outcome outcome = Outcome.NOT_TRIED;
    try {
      Optional<String> upstreamToken = Optional.empty();
      if (exchanger.isPresent()) {
        upstreamToken = bearer(req).flatMap(exchanger.get()::exchange);
        if (upstreamToken.isEmpty()) {
          // Fail closed: the caller's own token is never sent where an exchanged one is required.
          EdgeResponses.error(
              res,
              503,
              "upstream_unavailable",
              "the gateway could not obtain a token for the upstream");
          return Forwarding.EXCHANGE_FAILED;
        }
      }
      Outgoing outgoing = new Outgoing(req, pathAndQuery, body, extraHeaders, upstreamToken);
      outcome = tryTargets(outgoing, res);
      return switch (outcome) {
        case ANSWERED -> Forwarding.ANSWERED;
        case FAILED -> Forwarding.UPSTREAM_FAILED;
        case NOT_TRIED -> Forwarding.NO_TARGET;
      };
    } finally {
      switch (outcome) {
        case ANSWERED -> breaker.succeeded();
        case FAILED -> breaker.failed();
        case NOT_TRIED -> breaker.released();
      }
    }
  }

  /** How a forwarded request ended. */
  public enum Forwarding {
    /** An upstream answered (any status but a final 502, 503 or 504) and it was relayed. */
    ANSWERED,
    /** Every try failed, timed out, or answered 502, 503 or 504. */
    UPSTREAM_FAILED,
    /** The circuit breaker is open: no upstream was called. */
    BREAKER_OPEN,
    /** Every target is ejected: no upstream was called. */
    NO_TARGET,
    /** The token exchange failed: no upstream was called. */
    EXCHANGE_FAILED;

    /** The tag for metrics and audit, e.g. {@code breaker_open}. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The state of the route's circuit breaker. */
  public CircuitBreaker.State state() {
    return breaker.state();
  }

  /** How many times the circuit breaker opened. */
  public long breakerOpenings() {
    return breaker.openings();
  }

  /** How many requests the open circuit breaker refused. */
  public long breakerRefusals() {
    return breaker.refusals();
  }

  /** How many tries were retries. */
  public long retries() {
    return retries.get();
  }

  /** How many times a target was ejected. */
  public long ejections() {
    return targets.ejections();
  }

  /** How many targets are ejected now. */
  public int ejectedTargets() {
    return targets.ejected();
  }

  private Outcome tryTargets(Outgoing outgoing, EdgeResponse res) {
    int tries = outgoing.replayable() ? 1 + policy.maxRetries() : 1;
    List<URI> tried = new ArrayList<>();
    Optional<Exception> lastError = Optional.empty();
    for (int attempt = 0; attempt < tries; attempt++) {
      Optional<URI> target = targets.next(tried);
      if (target.isEmpty()) {
        break;
      }
      tried.add(target.get());
      if (attempt > 0) {
        retries.incrementAndGet();
      }
      UpstreamExchange upstream;
      try {
        upstream = send(outgoing, target.get());
      } catch (EdgeException e) {
        // The client's side failed (e.g. its body exceeded the limit): its status stands.
        throw e;
      } catch (IOException | RuntimeException e) {
        targets.failed(target.get());
        lastError = Optional.of(e);
        LOG.info("route {}: try {} at {} failed: {}", route, attempt + 1, target.get(), reason(e));
        if (!CauseChain.contains(e, ConnectException.class) && !isTimeout(e)) {
          break;
        }
        continue;
      }
      boolean unavailable = UNAVAILABLE.contains(upstream.status());
      if (!unavailable) {
        targets.succeeded(target.get());
        relay(upstream, res);
        return Outcome.ANSWERED;
      }
      targets.failed(target.get());
      lastError = Optional.empty();
      if (attempt + 1 < tries) {
        LOG.info(
            "route {}: try {} at {} answered {}",
            route,
            attempt + 1,
            target.get(),
            upstream.status());
        upstream.close();
        continue;
      }
      relay(upstream, res);
      return Outcome.FAILED;
    }
    if (tried.isEmpty()) {
      LOG.warn("route {}: every target is ejected; refusing without calling one", route);
      EdgeResponses.error(res, 503, "upstream_unavailable", "no upstream target is available");
      return Outcome.NOT_TRIED;
    }
    fail(res, lastError);
    return Outcome.FAILED;
  }

  private UpstreamExchange send(Outgoing outgoing, URI target) throws IOException {
    EdgeRequest req = outgoing.req();
    List<HeaderField> fields = new ArrayList<>();
    Set<String> nominated = connectionNominated(req);
    boolean replaceToken = outgoing.upstreamToken().isPresent();
    req.forEachField(
        (original, value) -> {
          String name = original.toLowerCase(Locale.ROOT);
          if (!HOP_BY_HOP.contains(name)
              && !CLIENT_ASSERTED_IDENTITY.contains(name)
              && !nominated.contains(name)
              && !name.startsWith(":")
              // The gateway issues the request id; the caller's never travels on.
              && !"x-request-id".equals(name)
              && !(replaceToken && "authorization".equals(name))) {
            fields.add(new HeaderField(original, value));
          }
        });
    outgoing
        .upstreamToken()
        .ifPresent(token -> fields.add(new HeaderField("Authorization", "Bearer " + token)));
    fields.add(new HeaderField("X-Forwarded-For", req.peerAddress()));
    fields.add(new HeaderField("X-Forwarded-Proto", "https"));
    RequestIds.current()
        .ifPresent(id -> fields.add(new HeaderField(HttpResponses.REQUEST_ID.defaultCase(), id)));
    outgoing.extraHeaders().accept(fields);
    RequestBody body;
    if (outgoing.body().isPresent()) {
      body = RequestBody.of(outgoing.body().get());
    } else if (!req.hasBody()) {
      body = RequestBody.none();
    } else {
      // Streamed both ways: the gateway never holds a whole body in memory.
      InputStream in = req.body();
      body =
          req.contentLength().isPresent()
              ? RequestBody.of(in, req.contentLength().getAsLong())
              : RequestBody.chunked(in);
    }
    String base = target.getRawPath() == null ? "" : target.getRawPath();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return connections
        .get(target)
        .send(new UpstreamRequest(req.method(), base + outgoing.pathAndQuery(), fields, body));
  }

  private void relay(UpstreamExchange upstream, EdgeResponse res) {
    try (upstream) {
      res.status(upstream.status());
      Set<String> nominated = new HashSet<>();
      for (HeaderField field : upstream.headers()) {
        if (field.is("connection")) {
          for (String token : field.value().split(",")) {
            nominated.add(token.trim().toLowerCase(Locale.ROOT));
          }
        }
      }
      // An upstream's field replaces one the gateway set (as the request id, the same); a field
      // the upstream repeats (Set-Cookie) is kept repeated.
      Set<String> relayed = new HashSet<>();
      for (HeaderField field : upstream.headers()) {
        String name = field.name().toLowerCase(Locale.ROOT);
        if ((!HOP_BY_HOP.contains(name) || "content-length".equals(name))
            && !nominated.contains(name)) {
          if (relayed.add(name)) {
            res.set(field.name(), field.value());
          } else {
            res.add(field.name(), field.value());
          }
        }
      }
      res.set("Cache-Control", "no-store");
      try (InputStream body = upstream.body();
          OutputStream downstream = res.stream()) {
        body.transferTo(downstream);
      }
    } catch (IOException | UncheckedIOException e) {
      // Once any byte went to the client there is no retry and no other status: only the log.
      LOG.warn("route {}: relaying the answer failed: {}", route, reason(e));
      if (!res.sent()) {
        fail(res, Optional.of(e));
      }
    }
  }

  /** Closes the pooled connections to every target. */
  @Override
  public void close() {
    connections.values().forEach(UpstreamConnections::close);
  }

  private void fail(EdgeResponse res, Optional<Exception> error) {
    if (res.sent()) {
      return;
    }
    res.remove("Content-Length");
    if (error.isPresent() && isTimeout(error.get())) {
      LOG.warn("route {}: upstream timed out", route);
      EdgeResponses.error(res, 504, "upstream_timeout", "the upstream did not answer in time");
    } else {
      LOG.warn(
          "route {}: upstream failed: {}",
          route,
          error.map(UpstreamCluster::reason).orElse("unavailable"));
      EdgeResponses.error(res, 502, "upstream_unavailable", "the upstream is unavailable");
    }
  }

  private static boolean isTimeout(Exception e) {
    return CauseChain.contains(e, SocketTimeoutException.class);
  }

  private static String reason(Exception e) {
    return isTimeout(e) ? "timeout" : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  // RFC 6750 §2.1: the scheme is case-insensitive; the gateway has already verified the token.
  private static Optional<String> bearer(EdgeRequest req) {
    return req.first("Authorization")
        .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(value -> value.substring(7).trim())
        .filter(token -> !token.isEmpty());
  }

  // RFC 9110 §7.6.1: fields named in Connection are meant for this hop only.
  private static Set<String> connectionNominated(EdgeRequest req) {
    Set<String> names = new HashSet<>();
    for (String value : req.all("Connection")) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  private enum Outcome {
    ANSWERED,
    FAILED,
    NOT_TRIED
  }

  private record Outgoing(
      EdgeRequest req,
      String pathAndQuery,
      Optional<byte[]> body,
      Consumer<List<HeaderField>> extraHeaders,
      Optional<String> upstreamToken) {
    // Replayable: repeating it cannot change the outcome, and its body (if any) can be sent again.
    boolean replayable() {
      return IDEMPOTENT.contains(req.method()) && (body.isPresent() || !req.hasBody());
    }
  }
}
