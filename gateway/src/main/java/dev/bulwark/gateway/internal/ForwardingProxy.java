package dev.bulwark.gateway.internal;

import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.policy.RouteRequest;
import dev.bulwark.gateway.validation.InboundRequest;
import dev.bulwark.gateway.validation.Refusal;
import dev.bulwark.gateway.validation.RequestScreen;
import dev.bulwark.runtime.errors.CauseChain;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.token.BearerAuthenticator;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import io.helidon.common.tls.Tls;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authenticates requests per route and streams them to the route's upstream and back. */
public final class ForwardingProxy {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardingProxy.class);

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

  private static final Header HSTS =
      HeaderValues.createCached("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  private static final Header NO_SNIFF =
      HeaderValues.createCached("X-Content-Type-Options", "nosniff");
  private static final Header NO_REFERRER =
      HeaderValues.createCached("Referrer-Policy", "no-referrer");
  private static final Header NO_STORE =
      HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

  private final List<GuardedRoute> routes;
  private final Map<String, WebClient> clients = new HashMap<>();
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
      clients.put(
          guarded.route().name(),
          WebClient.builder()
              .tls(
                  Tls.builder()
                      .sslContext(upstreamTls.apply(guarded.route()))
                      .sslParameters(TlsContexts.clientParameters())
                      .build())
              .connectTimeout(upstreamTimeout)
              .readTimeout(upstreamTimeout)
              .followRedirects(false)
              // Keep-alive connections to the few upstreams are reused rather than re-handshaken.
              .connectionCacheSize(256)
              .socketOptions(o -> o.tcpNoDelay(true))
              .shareConnectionCache(false)
              .build());
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
    Optional<Refusal> malformed =
        guarded.screen().flatMap(s -> s.checkHead(inbound(req, path.get(), Optional.empty())));
    if (malformed.isPresent()) {
      refuseScreened(guarded.route(), malformed.get(), res);
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
        // The body is read only for an authenticated caller, and only up to the route's limit.
        Optional<byte[]> body = Optional.empty();
        if (guarded.screen().isPresent()) {
          RequestScreen screen = guarded.screen().get();
          body = readBody(req, screen.limits().maxBodyBytes());
          Optional<Refusal> refusal = screen.check(inbound(req, path.get(), body));
          if (refusal.isPresent()) {
            refuseScreened(guarded.route(), refusal.get(), res);
            return;
          }
        }
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
          forward(guarded.route(), ok, path.get().encoded() + query.get(), req, body, res);
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

  private void forward(
      Route route,
      Authentication.Authenticated caller,
      String pathAndQuery,
      ServerRequest req,
      Optional<byte[]> screenedBody,
      ServerResponse res) {
    URI target = URI.create(route.upstream().toString() + pathAndQuery);
    HttpClientRequest out = clients.get(route.name()).method(req.prologue().method()).uri(target);
    Set<String> nominated = connectionNominated(req.headers());
    for (Header header : req.headers()) {
      String name = header.name().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name)
          && !CLIENT_ASSERTED_IDENTITY.contains(name)
          && !nominated.contains(name)
          && !name.startsWith(":")) {
        out.header(header);
      }
    }
    out.header(HeaderValues.create("X-Forwarded-For", PeerAddress.of(req.remotePeer())));
    out.header(HeaderValues.create("X-Forwarded-Proto", "https"));
    RequestIds.current().ifPresent(id -> out.header(HttpResponses.REQUEST_ID, id));
    try (HttpClientResponse upstream = send(req, screenedBody, out)) {
      res.status(upstream.status());
      Set<String> upstreamNominated = connectionNominated(upstream.headers());
      for (Header header : upstream.headers()) {
        String name = header.name().toLowerCase(Locale.ROOT);
        if ((!HOP_BY_HOP.contains(name) || "content-length".equals(name))
            && !upstreamNominated.contains(name)) {
          res.header(header);
        }
      }
      res.header(NO_STORE);
      try (InputStream body = upstream.inputStream();
          OutputStream downstream = res.outputStream()) {
        body.transferTo(downstream);
      }
    } catch (HttpException e) {
      // The client's side failed (e.g. its body exceeded the limit): its status stands.
      throw e;
    } catch (IOException | RuntimeException e) {
      upstreamFailure(route, caller, res, e);
    }
  }

  // RFC 9110 §7.6.1: fields named in Connection are meant for this hop only.
  private static Set<String> connectionNominated(io.helidon.http.Headers headers) {
    Set<String> names = new java.util.HashSet<>();
    for (String value : headers.values(HeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  private static HttpClientResponse send(
      ServerRequest req, Optional<byte[]> screenedBody, HttpClientRequest out) {
    if (screenedBody.isPresent()) {
      // Already read to be checked: what was checked is what is sent.
      return out.submit(screenedBody.get());
    }
    if (!req.content().hasEntity()) {
      return out.request();
    }
    // Streamed both ways: the gateway never holds a whole body in memory.
    return out.outputStream(
        upstreamBody -> {
          try (InputStream body = req.content().inputStream()) {
            body.transferTo(upstreamBody);
          }
          upstreamBody.close();
        });
  }

  private static InboundRequest inbound(
      ServerRequest req, CanonicalPath path, Optional<byte[]> body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Header header : req.headers()) {
      String name = header.name().toLowerCase(Locale.ROOT);
      // HTTP/2 pseudo-headers are the request line, not fields.
      if (!name.startsWith(":")) {
        headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(header.allValues());
      }
    }
    String rawQuery = req.query().rawValue();
    return new InboundRequest(
        req.prologue().method().text(),
        req.path().rawPath(),
        rawQuery.isEmpty() ? Optional.empty() : Optional.of(rawQuery),
        path.decoded(),
        headers,
        body);
  }

  // Reads at most one byte more than the limit: enough to know the body is too large.
  private static Optional<byte[]> readBody(ServerRequest req, long limit) {
    if (!req.content().hasEntity()) {
      return Optional.empty();
    }
    try (InputStream in = req.content().inputStream()) {
      return Optional.of(in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // The connection is closed after every refusal: the body may be unread, and Helidon 4.5 was
  // seen to parse an unread body after a 413 as the next request on the connection (request
  // smuggling; HostileRequestsTest). CloseConnectionException closes it once the answer is sent.
  private static void refuseScreened(Route route, Refusal refusal, ServerResponse res) {
    LOG.info("refused a request on route {}: {}", route.name(), refusal.reason());
    res.header(HeaderValues.CONNECTION_CLOSE);
    if (!refusal.allow().isEmpty()) {
      res.header(HeaderNames.ALLOW, String.join(", ", new java.util.TreeSet<>(refusal.allow())));
    }
    HttpResponses.error(
        res, Status.create(refusal.status()), refusal.error(), refusal.description());
    throw new CloseConnectionException("closed after refusing a request: " + refusal.reason());
  }

  private static void upstreamFailure(
      Route route, Authentication.Authenticated caller, ServerResponse res, Exception e) {
    boolean timeout = CauseChain.contains(e, SocketTimeoutException.class);
    LOG.warn(
        "upstream {} failed for client_id={}: {}",
        route.name(),
        caller.token().clientId(),
        timeout ? "timeout" : e.getClass().getSimpleName() + ": " + e.getMessage());
    if (res.isSent()) {
      return;
    }
    res.headers().remove(HeaderNames.CONTENT_LENGTH);
    if (timeout) {
      HttpResponses.error(
          res,
          Status.GATEWAY_TIMEOUT_504,
          "upstream_timeout",
          "the upstream did not answer in time");
    } else {
      HttpResponses.error(
          res, Status.BAD_GATEWAY_502, "upstream_unavailable", "the upstream is unavailable");
    }
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
   * @param screen checks each request's framing, sizes, body and contract before it is forwarded
   */
  public record GuardedRoute(
      Route route, BearerAuthenticator authenticator, Optional<RequestScreen> screen) {
    /** A route whose requests are forwarded without a {@link RequestScreen}. */
    public GuardedRoute(Route route, BearerAuthenticator authenticator) {
      this(route, authenticator, Optional.empty());
    }
  }
}
