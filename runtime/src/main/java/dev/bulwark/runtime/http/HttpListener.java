package dev.bulwark.runtime.http;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HTTPS listener of one Bulwark component: HTTP/1.1 and HTTP/2 (ALPN) over TLS 1.3, with the
 * things every endpoint needs built in — a request id on every request and response, a JSON access
 * log line, a latency timer, {@code /health} and Prometheus {@code /metrics}, and a 500 that says
 * nothing about internals.
 */
public final class HttpListener implements AutoCloseable {
  private static final Logger ACCESS = LoggerFactory.getLogger("bulwark.access");
  private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);

  /** The audit attribute holding the HTTP status of a refused request. */
  public static final String STATUS = "status";

  private final String component;
  private final WebServer server;
  private final URI url;

  private HttpListener(String component, WebServer server, URI url) {
    this.component = component;
    this.server = server;
    this.url = url;
  }

  public static Builder builder(String component) {
    return new Builder(component);
  }

  /** The base URL clients reach this listener at, e.g. {@code https://127.0.0.1:8443}. */
  public URI url() {
    return url;
  }

  public int port() {
    return server.port();
  }

  public String component() {
    return component;
  }

  @Override
  public void close() {
    server.stop();
  }

  /**
   * A listener's settings as a {@link Builder} holds them.
   *
   * @param component the component name, for logs and metrics
   * @param host the address to bind
   * @param port the port to bind; 0 picks a free one
   * @param sslContext the TLS context
   * @param clientAuth whether client certificates are asked for or required
   * @param metrics where request metrics go
   * @param maxPayloadSize the largest request body, in bytes
   * @param maxPrologueLength the longest request line, in bytes
   * @param maxHeadersSize the largest header section, in bytes
   */
  public record Settings(
      String component,
      String host,
      int port,
      SSLContext sslContext,
      ClientAuth clientAuth,
      Metrics metrics,
      long maxPayloadSize,
      int maxPrologueLength,
      int maxHeadersSize) {
    public Settings {
      requireNonNull(component, "component");
      requireNonNull(host, "host");
      requireNonNull(sslContext, "sslContext");
      requireNonNull(clientAuth, "clientAuth");
      requireNonNull(metrics, "metrics");
    }
  }

  /** Builds and starts a listener. */
  public static final class Builder {
    private final String component;
    private String host = "127.0.0.1";
    private int port;
    private SSLContext sslContext;
    private ClientAuth clientAuth = ClientAuth.NONE;
    private Consumer<HttpRouting.Builder> routes = r -> {};
    private Metrics metrics;
    private final Map<String, HealthCheck> healthChecks = new LinkedHashMap<>();
    private long maxPayloadSize = 1024 * 1024;
    // Helidon's own defaults; every component works within them.
    private int maxPrologueLength = 4096;
    private int maxHeadersSize = 16 * 1024;
    private boolean observabilityEndpoints = true;
    private boolean acceptCallerRequestIds = true;
    private boolean auditRefusals = true;
    private AuditSink audit = AuditSink.log();
    private final List<PeerRule> peerRules = new ArrayList<>();
    private RequestTimers requestTimers;

    private Builder(String component) {
      this.component = requireNonNull(component, "component");
    }

    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The port to bind; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** The TLS context; required, since Bulwark never listens in plaintext. */
    public Builder tls(SSLContext sslContext, ClientAuth clientAuth) {
      this.sslContext = requireNonNull(sslContext, "sslContext");
      this.clientAuth = requireNonNull(clientAuth, "clientAuth");
      return this;
    }

    /**
     * Whether the listener asks clients for a certificate, as set by {@link #tls}; a component that
     * authorizes callers by their workload certificate refuses to start without one.
     */
    public ClientAuth clientAuth() {
      return clientAuth;
    }

    public Builder routes(Consumer<HttpRouting.Builder> routes) {
      this.routes = requireNonNull(routes, "routes");
      return this;
    }

    public Builder metrics(Metrics metrics) {
      this.metrics = requireNonNull(metrics, "metrics");
      return this;
    }

    public Builder healthCheck(String name, HealthCheck check) {
      healthChecks.put(requireNonNull(name, "name"), requireNonNull(check, "check"));
      return this;
    }

    /** Where refused peers are reported (default: the audit log). */
    public Builder audit(AuditSink audit) {
      this.audit = requireNonNull(audit, "audit");
      return this;
    }

    public Builder maxPayloadSize(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxPayloadSize: " + bytes + " (expected: > 0)");
      }
      this.maxPayloadSize = bytes;
      return this;
    }

    /**
     * The longest HTTP/1.1 request line (method, target and version) accepted, in bytes (default
     * 4096); a longer one is refused by the server before routing, with 414 when the target is too
     * long. It bounds the URI length at the socket, before any handler runs.
     */
    public Builder maxPrologueLength(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("maxPrologueLength: " + bytes + " (expected: >= 64)");
      }
      this.maxPrologueLength = bytes;
      return this;
    }

    /**
     * The largest HTTP/1.1 header section accepted, in bytes (default 16384); a larger one is
     * refused by the server before routing, with 431 (RFC 6585 §5).
     */
    public Builder maxHeadersSize(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxHeadersSize: " + bytes + " (expected: >= 1024)");
      }
      this.maxHeadersSize = bytes;
      return this;
    }

    /**
     * Whether {@code /health} and {@code /metrics} are served here (a public edge may want them
     * elsewhere).
     */
    public Builder observabilityEndpoints(boolean serve) {
      this.observabilityEndpoints = serve;
      return this;
    }

    /**
     * Whether a well-formed {@code X-Request-Id} from the caller is kept (default) or always
     * replaced. A public edge replaces it, so outside clients cannot choose the id that internal
     * logs and audit records are correlated by.
     */
    public Builder acceptCallerRequestIds(boolean accept) {
      this.acceptCallerRequestIds = accept;
      return this;
    }

    /**
     * Whether the listener records an {@code http.deny} audit event for each 401 and 403 it answers
     * (default). A component that audits every decision itself, with more detail, turns this off so
     * no refusal is recorded twice.
     */
    public Builder auditRefusals(boolean audit) {
      this.auditRefusals = audit;
      return this;
    }

    /**
     * Requests whose path starts with {@code pathPrefix} are served only to the workloads {@code
     * allowed} lets in, identified by the client certificate; others get 403 {@code
     * forbidden_peer}. This narrows, per endpoint, what the listener's handshake already admits.
     */
    public Builder requirePeer(String pathPrefix, PeerAuthorizer allowed) {
      peerRules.add(new PeerRule(requireNonNull(pathPrefix, "pathPrefix"), allowed));
      return this;
    }

    /**
     * What this builder was given, for a component that serves on its own HTTP stack but is
     * configured like every listener (the gateway's data path).
     *
     * @throws IllegalStateException if TLS or metrics are not set
     */
    public Settings settings() {
      if (sslContext == null) {
        throw new IllegalStateException(
            "tls: not set (expected: an SSLContext; Bulwark does not listen in plaintext)");
      }
      if (metrics == null) {
        throw new IllegalStateException("metrics: not set");
      }
      return new Settings(
          component,
          host,
          port,
          sslContext,
          clientAuth,
          metrics,
          maxPayloadSize,
          maxPrologueLength,
          maxHeadersSize);
    }

    public HttpListener start() {
      settings(); // fails with the setting that is missing
      requestTimers = new RequestTimers(component, metrics.registry());
      Tls tls =
          Tls.builder()
              .sslContext(sslContext)
              .sslParameters(TlsContexts.parameters(clientAuth))
              .clientAuth(
                  switch (clientAuth) {
                    case NONE -> TlsClientAuth.NONE;
                    case OPTIONAL -> TlsClientAuth.OPTIONAL;
                    case REQUIRED -> TlsClientAuth.REQUIRED;
                  })
              .enabledProtocols(List.of(TlsContexts.TLS_13))
              .build();
      HttpRouting.Builder routing = HttpRouting.builder();
      routing.addFilter(this::observe);
      if (!peerRules.isEmpty()) {
        routing.addFilter(this::checkPeer);
      }
      routing.error(Throwable.class, this::internalError);
      routing.error(HttpException.class, this::httpError);
      if (observabilityEndpoints) {
        routing.get("/health", this::health);
        routing.get("/metrics", this::metrics);
      }
      routes.accept(routing);
      WebServer server =
          WebServer.builder()
              .host(host)
              .port(port)
              .tls(tls)
              .shutdownHook(false)
              // Without it, small responses wait out Nagle + delayed ACK (~40 ms); measured in
              // docs/adr/0001-http-stack.md.
              .connectionOptions(o -> o.tcpNoDelay(true))
              .shutdownGracePeriod(Duration.ofSeconds(2))
              .maxPayloadSize(maxPayloadSize)
              // Malformed header names and values (and known headers such as Content-Length by
              // format) and bad request lines are refused by the server itself; set explicitly so
              // a default change cannot switch them off. Host validation is on by default and its
              // switch is deprecated for removal in 4.5, so it is left alone.
              .addProtocol(
                  Http1Config.builder()
                      .maxPrologueLength(maxPrologueLength)
                      .maxHeadersSize(maxHeadersSize)
                      .validateRequestHeaders(true)
                      .validatePrologue(true)
                      .validatePath(true)
                      .build())
              .routing(routing)
              .build()
              .start();
      String authority = host.contains(":") ? "[" + host + "]" : host;
      URI url = URI.create("https://" + authority + ":" + server.port());
      LOG.info("{} listening on {}", component, url);
      return new HttpListener(component, server, url);
    }

    private void observe(
        io.helidon.webserver.http.FilterChain chain, RoutingRequest req, RoutingResponse res) {
      String requestId =
          acceptCallerRequestIds
              ? RequestIds.acceptOrCreate(req.headers().first(HttpResponses.REQUEST_ID))
              : RequestIds.create();
      MDC.put(RequestIds.MDC_KEY, requestId);
      MDC.put("component", component);
      res.header(HttpResponses.REQUEST_ID, requestId);
      // Read once here; the peer filter and the access log both use it.
      Optional<SpiffeId> workload = PeerWorkload.of(req.remotePeer());
      // Read before the request is served: once the client has closed the connection (as soon as
      // it has the answer), the socket may no longer say who it was.
      String peerAddress = PeerAddress.of(req.remotePeer());
      workload.ifPresent(id -> req.context().register(SpiffeId.class, id));
      long start = System.nanoTime();
      try {
        chain.proceed();
      } finally {
        long nanos = System.nanoTime() - start;
        int status = res.status().code();
        String method = req.prologue().method().text();
        String route = req.matchingPattern().orElse("unmatched");
        requestTimers.timer(method, route, status).record(nanos, TimeUnit.NANOSECONDS);
        if (auditRefusals
            && (status == 401 || status == 403)
            && req.context().get(DenialAudited.class).isEmpty()) {
          auditDenial(req, status, peerAddress, workload);
        }
        // The path only: query strings can carry secrets, so they are never logged.
        ACCESS.info(
            "{} {} {} {}ms peer={} workload={}",
            method,
            req.path().path(),
            status,
            TimeUnit.NANOSECONDS.toMillis(nanos),
            peerAddress,
            workload.map(Object::toString).orElse("-"));
        MDC.remove(RequestIds.MDC_KEY);
        MDC.remove("component");
      }
    }

    private void checkPeer(
        io.helidon.webserver.http.FilterChain chain, RoutingRequest req, RoutingResponse res) {
      String path = req.path().path();
      for (PeerRule rule : peerRules) {
        if (!path.startsWith(rule.pathPrefix())) {
          continue;
        }
        Optional<SpiffeId> peer = req.context().get(SpiffeId.class, SpiffeId.class);
        if (peer.isEmpty() || !rule.allowed().allows(peer.get())) {
          String who = peer.map(Object::toString).orElse("a client without a workload certificate");
          req.context().register(DenialAudited.INSTANCE);
          audit.emit(
              AuditEvent.builder(component, "peer.authorize", AuditEvent.Outcome.DENIED)
                  .workload(peer.map(Object::toString).orElse("-"))
                  .resource(req.prologue().method().text() + " " + path)
                  .reason(who + " is not allowed here (allowed: " + rule.allowed() + ")")
                  .sourceAddress(PeerAddress.of(req.remotePeer()))
                  .requestId(RequestIds.current().orElse("-"))
                  .attribute(STATUS, "403")
                  .build());
          HttpResponses.error(
              res,
              Status.FORBIDDEN_403,
              "forbidden_peer",
              "this workload may not call " + rule.pathPrefix());
          return;
        }
      }
      chain.proceed();
    }

    // Every refusal is an audit event, so alert rules see spikes of 401/403 whichever component
    // refused; the path only, never the query string, which can carry secrets.
    private void auditDenial(
        RoutingRequest req, int status, String peerAddress, Optional<SpiffeId> workload) {
      AuditEvent.Builder event =
          AuditEvent.builder(
                  component,
                  "http.deny",
                  status == 401 ? AuditEvent.Outcome.FAILURE : AuditEvent.Outcome.DENIED)
              .resource(req.prologue().method().text() + " " + req.path().path())
              .sourceAddress(peerAddress)
              .requestId(RequestIds.current().orElse("-"))
              .attribute(STATUS, Integer.toString(status));
      workload.ifPresent(id -> event.workload(id.toString()));
      try {
        audit.emit(event.build());
      } catch (RuntimeException e) {
        LOG.warn("could not record the audit event for a refused request: {}", e.toString());
      }
    }

    private void internalError(ServerRequest req, ServerResponse res, Throwable error) {
      LOG.error(
          "unhandled error serving {} {}",
          req.prologue().method().text(),
          req.path().path(),
          error);
      if (!res.isSent()) {
        HttpResponses.error(
            res,
            Status.INTERNAL_SERVER_ERROR_500,
            "server_error",
            "internal error; quote request id " + RequestIds.current().orElse("-"));
      }
    }

    // Protocol-level refusals (body too large, malformed request) keep their status: they are the
    // client's fault, not ours, and must not read as a 500.
    private void httpError(ServerRequest req, ServerResponse res, HttpException error) {
      Status status = error.status();
      if (status.code() >= 500) {
        internalError(req, res, error);
        return;
      }
      LOG.info(
          "refused {} {}: {} {}",
          req.prologue().method().text(),
          req.path().path(),
          status.code(),
          error.getMessage());
      if (!res.isSent()) {
        String code = status.code() == 413 ? "request_too_large" : "invalid_request";
        HttpResponses.error(res, status, code, status.reasonPhrase());
      }
    }

    private void health(ServerRequest req, ServerResponse res) {
      ObjectNode body = Json.object().put("component", component);
      ObjectNode checks = body.putObject("checks");
      List<String> problems = new ArrayList<>();
      healthChecks.forEach(
          (name, check) -> {
            Optional<String> problem;
            try {
              problem = check.problem();
            } catch (RuntimeException e) {
              problem = Optional.of(e.getClass().getSimpleName());
            }
            checks.put(name, problem.orElse("ok"));
            problem.ifPresent(p -> problems.add(name));
          });
      body.put("status", problems.isEmpty() ? "UP" : "DOWN");
      HttpResponses.json(
          res, problems.isEmpty() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
      res.header(HeaderValues.create("Content-Type", Metrics.CONTENT_TYPE));
      res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private record PeerRule(String pathPrefix, PeerAuthorizer allowed) {
      PeerRule {
        requireNonNull(allowed, "allowed");
      }
    }
  }

  // Marks a request whose refusal was already audited with more detail (the peer check).
  private enum DenialAudited {
    INSTANCE
  }
}
