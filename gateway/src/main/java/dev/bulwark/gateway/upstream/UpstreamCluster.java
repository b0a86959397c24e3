package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.edge.EdgeException;
import dev.bulwark.gateway.edge.EdgeRequest;
import dev.bulwark.gateway.edge.EdgeResponse;
import dev.bulwark.gateway.edge.EdgeResponses;
import dev.bulwark.runtime.errors.CauseChain;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.RequestIds;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route's upstream: its targets in round robin with passive health checks, a circuit breaker,
 * bounded retries of replayable requests, and optionally token exchange.
 *
 * <p>The forward itself runs on the event loop of the client's connection, over pooled connections
 * opened on that same loop ({@link UpstreamConnections}), and the answer is relayed piece by piece
 * as it arrives, never held whole; the caller's thread only starts it (docs/adr/0001-http-stack.md,
 * third amendment). A request body the caller did not read is streamed upstream from the caller's
 * thread, which waits while the upstream is slow to take it.
 */
public final class UpstreamCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamCluster.class);

  // RFC 9110 §9.2.2: only these may be repeated without changing the outcome (POST, PATCH may not).
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
  private static final Set<Integer> UNAVAILABLE = Set.of(502, 503, 504);
  private static final int MAX_IDLE_CONNECTIONS = 256;
  private static final int MAX_RESPONSE_HEADER_SIZE = 32 * 1024;
  private static final int BODY_PIECE = 16 * 1024;
  private static final byte[] EMPTY = new byte[0];
  // Names and values checked as they are added (RFC 9110 §5.1, §5.5).
  private static final DefaultHttpHeadersFactory FORWARDED_HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withNameValidation(true).withValueValidation(true);
  private static final DefaultHttpHeadersFactory PARSED_HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);
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
  // One pool of keep-alive connections per target, itself split by event loop.
  private final Map<URI, UpstreamConnections> connections = new LinkedHashMap<>();
  private final UpstreamTargets targets;
  private final CircuitBreaker breaker;
  private final Optional<TokenExchanger> exchanger;
  private final AtomicLong retries = new AtomicLong();
  private final long requestTimeoutNanos;

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
    this.requestTimeoutNanos = policy.requestTimeout().toNanos();
    for (URI target : policy.targets()) {
      connections.put(
          target,
          new UpstreamConnections(
              target,
              tls,
              policy.connectTimeout(),
              policy.requestTimeout(),
              MAX_IDLE_CONNECTIONS,
              IDLE_TIMEOUT,
              MAX_RESPONSE_HEADER_SIZE));
    }
  }

  /**
   * Forwards an authorized request to a target and relays the answer to {@code res}. The checks and
   * the start happen on the caller's thread; the rest on {@code res}'s event loop.
   *
   * @param pathAndQuery the canonical path and query that was authorized, appended to the target
   * @param body the request body if the caller already read it (which makes idempotent requests
   *     retryable); empty to stream it from {@code req}, which this call does before it returns
   * @param extraHeaders adds headers to each request sent upstream
   * @return how the request ended, for the gateway's metrics and audit, once the answer is out
   * @throws EdgeException if the client's body could not be read (too large, too slow); nothing has
   *     been answered then
   */
  public CompletionStage<Forwarding> forward(
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
      return CompletableFuture.completedFuture(Forwarding.BREAKER_OPEN);
    }
    Call call;
    try {
      Optional<String> upstreamToken = Optional.empty();
      if (exchanger.isPresent()) {
        upstreamToken = bearer(req).flatMap(exchanger.get()::exchange);
        if (upstreamToken.isEmpty()) {
          // Fail closed: the caller's own token is never sent where an exchanged one is required.
          breaker.released();
          EdgeResponses.error(
              res,
              503,
              "upstream_unavailable",
              "the gateway could not obtain a token for the upstream");
          return CompletableFuture.completedFuture(Forwarding.EXCHANGE_FAILED);
        }
      }
      call =
          new Call(
              req,
              res,
              originForm(pathAndQuery),
              outgoingHeaders(req, upstreamToken, extraHeaders),
              body);
    } catch (IllegalArgumentException e) {
      // A field HTTP/1.1 cannot carry (an HTTP/2 client's CR or LF in a value): it would split
      // the request upstream, so it is refused, not forwarded.
      breaker.released();
      LOG.info("route {}: request not forwardable: {}", route, e.getMessage());
      EdgeResponses.error(
          res, 400, "invalid_request", "a header field of the request cannot be forwarded");
      return CompletableFuture.completedFuture(Forwarding.NOT_FORWARDABLE);
    } catch (RuntimeException e) {
      breaker.released();
      throw e;
    }
    call.start();
    return call.result;
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
    EXCHANGE_FAILED,
    /** A header field could not go on the wire to the upstream: no upstream was called. */
    NOT_FORWARDABLE,
    /** The client's side failed while its body was being sent: the answer is the listener's. */
    CLIENT_FAILED;

    /** The tag for metrics and audit, e.g. {@code breaker_open}. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Whether the caller's token is exchanged for the upstream's (which calls the issuer). */
  public boolean exchangesTokens() {
    return exchanger.isPresent();
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

  /** How many connections were opened to {@code target} (one of the policy's), for tests. */
  long connectionsOpened(URI target) {
    return requireNonNull(connections.get(target), "not a target").connectionsOpened();
  }

  /** Closes the pooled connections to every target. */
  @Override
  public void close() {
    connections.values().forEach(UpstreamConnections::close);
  }

  // The fields sent upstream: the client's, less what is for this hop only, what would assert an
  // identity, and what the gateway sets itself. Validated as they are added: an HTTP/2 client can
  // send a value with bytes (CR, LF) that would split an HTTP/1.1 request.
  private static HttpHeaders outgoingHeaders(
      EdgeRequest req, Optional<String> upstreamToken, Consumer<List<HeaderField>> extraHeaders) {
    // HTTP/1.1 fields were already checked by the listener's strict parser; HTTP/2 ones are not
    // held to HTTP/1.1's rules there.
    HttpHeaders out = (req.http1() ? PARSED_HEADERS : FORWARDED_HEADERS).newHeaders();
    Set<String> nominated = connectionNominated(req);
    boolean replaceToken = upstreamToken.isPresent();
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
            out.add(original, value);
          }
        });
    // The issuer's token is checked like any field it did not come from the parser.
    upstreamToken.ifPresent(
        token ->
            out.add("Authorization", new HeaderField("Authorization", "Bearer " + token).value()));
    out.add("X-Forwarded-For", req.peerAddress());
    out.add("X-Forwarded-Proto", "https");
    RequestIds.current().ifPresent(id -> out.add(HttpResponses.REQUEST_ID.defaultCase(), id));
    List<HeaderField> extra = new ArrayList<>(2);
    extraHeaders.accept(extra);
    for (HeaderField field : extra) {
      if (HOP_BY_HOP.contains(field.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "extra header " + field.name() + " is written by the upstream hop itself");
      }
      out.add(field.name(), field.value());
    }
    return out;
  }

  // RFC 9112 §3.2.1: the origin form, already percent-encoded; nothing that could end the line.
  private static String originForm(String pathAndQuery) {
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("the path does not start with '/'");
    }
    for (int i = 0; i < pathAndQuery.length(); i++) {
      char c = pathAndQuery.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("the path has a character that is not visible ASCII");
      }
    }
    return pathAndQuery;
  }

  private static boolean isTimeout(Throwable e) {
    return CauseChain.contains(e, SocketTimeoutException.class);
  }

  private static String reason(Throwable e) {
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
    return nominated(req.all("Connection"));
  }

  private static Set<String> nominated(List<String> connectionValues) {
    if (connectionValues.isEmpty()) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    for (String value : connectionValues) {
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

  /** An answer that could be read more than one way, or not at all: nothing of it is relayed. */
  private static final class MalformedResponse extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedResponse(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * One forwarded request, from the first try to the end of the relayed answer. Apart from {@link
   * #start} and {@link #stream}, everything runs on the client connection's event loop, which the
   * upstream connections share, so its state needs no locks.
   */
  private final class Call implements UpstreamConnections.User {
    final CompletableFuture<Forwarding> result = new CompletableFuture<>();
    private final EdgeRequest req;
    private final EdgeResponse res;
    private final EventLoop loop;
    private final HttpMethod method;
    private final String pathAndQuery;
    private final HttpHeaders headers;
    private final Optional<byte[]> body;
    private final boolean streamed;
    private final boolean replayable;
    private final int tries;
    private final List<URI> tried = new ArrayList<>(2);
    private Throwable lastError;
    private URI target;
    private UpstreamConnections pool;
    private UpstreamConnections.Connection connection;
    private ScheduledFuture<?> timeout;
    private long deadline;
    private boolean resent;
    private boolean anyResponse;
    private boolean interim;
    private boolean relaying;
    private boolean keepAlive;
    private volatile boolean requestSent;
    private volatile boolean finished;
    private boolean settled;
    private Outcome relayed = Outcome.ANSWERED;
    // For a streamed body: the connection to write it to, or null once the call has ended.
    private final CompletableFuture<UpstreamConnections.Connection> streamTo =
        new CompletableFuture<>();

    Call(
        EdgeRequest req,
        EdgeResponse res,
        String pathAndQuery,
        HttpHeaders headers,
        Optional<byte[]> body) {
      this.req = req;
      this.res = res;
      this.loop = res.eventLoop();
      this.method = HttpMethod.valueOf(req.method());
      this.pathAndQuery = pathAndQuery;
      this.headers = headers;
      this.body = body;
      this.streamed = body.isEmpty() && req.hasBody();
      // Replayable: repeating it cannot change the outcome, and its body (if any) can be sent
      // again.
      this.replayable = IDEMPOTENT.contains(req.method()) && !streamed;
      this.tries = replayable ? 1 + policy.maxRetries() : 1;
    }

    void start() {
      if (loop.inEventLoop()) {
        next();
      } else {
        loop.execute(this::next);
      }
      if (streamed) {
        stream();
      }
    }

    // The next try, at a target not yet tried; or the end, when there is none.
    private void next() {
      Optional<URI> next = tried.size() < tries ? targets.next(tried) : Optional.empty();
      if (next.isEmpty()) {
        if (tried.isEmpty()) {
          LOG.warn("route {}: every target is ejected; refusing without calling one", route);
          settle(Outcome.NOT_TRIED);
          EdgeResponses.error(res, 503, "upstream_unavailable", "no upstream target is available");
          finish(Outcome.NOT_TRIED);
        } else {
          settle(Outcome.FAILED);
          failAnswer(lastError);
          finish(Outcome.FAILED);
        }
        return;
      }
      if (!tried.isEmpty()) {
        retries.incrementAndGet();
      }
      tried.add(next.get());
      target = next.get();
      pool = connections.get(target);
      connect(false);
    }

    private void connect(boolean fresh) {
      io.netty.util.concurrent.Future<UpstreamConnections.Connection> acquired =
          pool.acquire(loop, fresh);
      acquired.addListener(
          done -> {
            if (!acquired.isSuccess()) {
              if (!finished) {
                tryFailed(acquired.cause());
              }
              return;
            }
            UpstreamConnections.Connection c = acquired.getNow();
            if (finished) {
              c.channel.close();
              return;
            }
            send(c);
          });
    }

    private void send(UpstreamConnections.Connection c) {
      connection = c;
      anyResponse = false;
      c.use(this);
      c.decoder.expectAnswerTo(method.name());
      String base = target.getRawPath() == null ? "" : target.getRawPath();
      String uri =
          (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery;
      headers.set("Host", pool.authority());
      HttpRequest request;
      if (streamed) {
        if (req.contentLength().isPresent()) {
          headers.set("Content-Length", Long.toString(req.contentLength().getAsLong()));
        } else {
          headers.set("Transfer-Encoding", "chunked");
        }
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers);
      } else {
        byte[] content = body.orElse(EMPTY);
        if (content.length > 0 || expectsContent(method)) {
          // RFC 9110 §8.6: "no content" is said explicitly where the method defines content.
          headers.set("Content-Length", Integer.toString(content.length));
        }
        request =
            new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                method,
                uri,
                Unpooled.wrappedBuffer(content),
                headers,
                FORWARDED_HEADERS.newEmptyHeaders());
      }
      ChannelFuture written = c.channel.writeAndFlush(request);
      if (streamed) {
        streamTo.complete(c);
      } else {
        written.addListener(f -> requestWritten(c, f));
      }
    }

    private void requestWritten(
        UpstreamConnections.Connection c, io.netty.util.concurrent.Future<?> write) {
      if (!write.isSuccess()) {
        failedOn(c, write.cause());
        return;
      }
      requestSent = true;
      if (c == connection && !finished && !relaying) {
        // From here the upstream has the whole request: its answer must start in time.
        awaitBytes(c);
      }
    }

    // Streams the client's body upstream, on the caller's thread, which blocks on the client's
    // slowness (the body pipe) and on the upstream's (a write it does not take in time).
    private void stream() {
      UpstreamConnections.Connection c = streamTo.join();
      if (c == null) {
        return;
      }
      byte[] buffer = new byte[BODY_PIECE];
      try (InputStream in = req.body()) {
        int n;
        while ((n = in.read(buffer)) > 0 && !finished) {
          ChannelFuture written =
              c.channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, n)));
          if (!c.channel.isWritable() && !awaitWrite(c, written)) {
            return;
          }
        }
        if (!finished) {
          ChannelFuture last = c.channel.writeAndFlush(new DefaultLastHttpContent());
          last.addListener(f -> requestWritten(c, f));
        }
      } catch (EdgeException e) {
        // The client's body broke a limit: its status stands, and no upstream answer is relayed.
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        loop.execute(
            () -> {
              clientFailed();
              stopped.complete(null);
            });
        stopped.join();
        throw e;
      } catch (IOException e) {
        loop.execute(() -> failedOn(c, e));
      }
    }

    private boolean awaitWrite(UpstreamConnections.Connection c, ChannelFuture written) {
      try {
        written.get(requestTimeoutNanos, TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        loop.execute(
            () ->
                failedOn(
                    c,
                    new SocketTimeoutException(
                        "the upstream did not take the request body in time")));
      } catch (ExecutionException e) {
        loop.execute(() -> failedOn(c, e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        loop.execute(() -> failedOn(c, e));
      }
      return false;
    }

    // The upstream must send its next bytes within the request timeout. One timer per wait, moved
    // lazily: each read only moves the deadline, and the timer, when it fires early, waits the
    // rest.
    private void awaitBytes(UpstreamConnections.Connection c) {
      deadline = System.nanoTime() + requestTimeoutNanos;
      if (timeout == null) {
        expireAfter(c, requestTimeoutNanos);
      }
    }

    private void expireAfter(UpstreamConnections.Connection c, long nanos) {
      timeout = loop.schedule(() -> expire(c), nanos, TimeUnit.NANOSECONDS);
    }

    private void expire(UpstreamConnections.Connection c) {
      timeout = null;
      if (finished || c != connection || deadline == 0) {
        return;
      }
      long left = deadline - System.nanoTime();
      if (left > 0) {
        expireAfter(c, left);
        return;
      }
      failedOn(c, new SocketTimeoutException("the upstream did not answer in time"));
    }

    // Not waiting on the upstream (done, failed, or paused for a slow client).
    private void cancelTimeout() {
      deadline = 0;
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
    }

    @Override
    public void received(Object message) {
      UpstreamConnections.Connection c = connection;
      if (finished || c == null) {
        ReferenceCountUtil.release(message);
        return;
      }
      anyResponse = true;
      if (message instanceof HttpObject object && object.decoderResult().isFailure()) {
        DecoderResult result = object.decoderResult();
        ReferenceCountUtil.release(message);
        failedOn(c, new MalformedResponse("malformed response", result.cause()));
        return;
      }
      if (message instanceof HttpResponse head) {
        received(c, head);
        if (connection != c) {
          ReferenceCountUtil.release(message);
          return;
        }
      }
      if (message instanceof HttpContent content) {
        received(c, content);
      }
    }

    private void received(UpstreamConnections.Connection c, HttpResponse head) {
      int status = head.status().code();
      if (status == 101) {
        failedOn(c, new MalformedResponse("switching protocols, which was not asked for", null));
        return;
      }
      List<String> codings = head.headers().getAll("Transfer-Encoding");
      if (!codings.isEmpty()
          && (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked"))) {
        // RFC 9112 §6.1: only chunked framing is understood; any other would be read until close.
        failedOn(c, new MalformedResponse("a transfer coding other than chunked", null));
        return;
      }
      if (status < 200) {
        // RFC 9110 §15.2: interim answers (100, 103) are not relayed; the final one follows.
        interim = true;
        awaitBytes(c);
        return;
      }
      boolean unavailable = UNAVAILABLE.contains(status);
      if (unavailable) {
        targets.failed(target);
      } else {
        targets.succeeded(target);
      }
      if (unavailable && tried.size() < tries) {
        LOG.info("route {}: try {} at {} answered {}", route, tried.size(), target, status);
        lastError = null;
        discard(c);
        next();
        return;
      }
      relayed = unavailable ? Outcome.FAILED : Outcome.ANSWERED;
      keepAlive = HttpUtil.isKeepAlive(head);
      relaying = true;
      relayHead(head);
      awaitBytes(c);
    }

    private void received(UpstreamConnections.Connection c, HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (interim || !relaying) {
        content.release();
        if (last) {
          interim = false;
        }
        return;
      }
      if (last) {
        // The breaker is told before the client sees the end, so no later request finds it stale.
        settle(relayed);
        res.relay(content.content(), true);
        done(c);
        return;
      }
      ChannelFuture written = res.relay(content.content(), false);
      written.addListener(
          f -> {
            if (!f.isSuccess()) {
              failedOn(c, f.cause());
            }
          });
      if (!res.writable()) {
        // The client is slower than the upstream: read no more until it has taken this.
        cancelTimeout();
        c.channel.config().setAutoRead(false);
        written.addListener(
            f -> {
              if (c == connection && !finished) {
                c.channel.config().setAutoRead(true);
                awaitBytes(c);
              }
            });
      } else {
        awaitBytes(c);
      }
    }

    private void relayHead(HttpResponse head) {
      res.status(head.status().code());
      HttpHeaders fields = head.headers();
      Set<String> nominated = nominated(fields.getAll("Connection"));
      // An upstream's field replaces one the gateway set (as the request id, the same); a field
      // the upstream repeats (Set-Cookie) is kept repeated: all its values go out, in order.
      List<Map.Entry<String, String>> kept = new ArrayList<>(fields.size());
      for (Map.Entry<String, String> field : fields) {
        String name = field.getKey().toLowerCase(Locale.ROOT);
        if ((!HOP_BY_HOP.contains(name) || "content-length".equals(name))
            && !nominated.contains(name)) {
          kept.add(field);
          res.remove(field.getKey());
        }
      }
      for (Map.Entry<String, String> field : kept) {
        res.add(field.getKey(), field.getValue());
      }
      res.set("Cache-Control", "no-store");
    }

    // The answer is relayed whole: the connection goes back to the pool if it can carry another.
    private void done(UpstreamConnections.Connection c) {
      cancelTimeout();
      connection = null;
      if (keepAlive && requestSent && c.channel.isActive()) {
        pool.release(c);
      } else {
        discard(c);
      }
      finish(relayed);
    }

    @Override
    public void failed(Throwable cause) {
      failedOn(connection, cause);
    }

    private void failedOn(UpstreamConnections.Connection c, Throwable cause) {
      if (finished || c == null || c != connection) {
        return;
      }
      cancelTimeout();
      connection = null;
      discard(c);
      if (relaying) {
        // Once any byte went to the client there is no retry and no other status: only the log.
        LOG.warn("route {}: relaying the answer failed: {}", route, reason(cause));
        settle(relayed);
        failAnswer(cause);
        finish(relayed);
        return;
      }
      // A pooled connection the upstream had closed, found out before any answer: sent once
      // more on a fresh connection, when sending twice is safe.
      if (c.reused()
          && !resent
          && !anyResponse
          && replayable
          && !isTimeout(cause)
          && !(cause instanceof MalformedResponse)) {
        LOG.debug("route {}: pooled connection to {} was stale; sending again", route, target);
        resent = true;
        connect(true);
        return;
      }
      tryFailed(cause);
    }

    private void tryFailed(Throwable cause) {
      targets.failed(target);
      lastError = cause;
      LOG.info("route {}: try {} at {} failed: {}", route, tried.size(), target, reason(cause));
      if (CauseChain.contains(cause, ConnectException.class) || isTimeout(cause)) {
        next();
        return;
      }
      settle(Outcome.FAILED);
      failAnswer(cause);
      finish(Outcome.FAILED);
    }

    // The client's body broke a limit while it was being sent: the listener answers.
    private void clientFailed() {
      if (finished) {
        return;
      }
      UpstreamConnections.Connection c = connection;
      connection = null;
      if (c != null) {
        discard(c);
      }
      if (res.sent()) {
        res.abort();
      }
      finish(Outcome.NOT_TRIED);
    }

    private void discard(UpstreamConnections.Connection c) {
      c.use(null);
      c.channel.close();
    }

    private void failAnswer(Throwable error) {
      if (res.sent()) {
        res.abort();
        return;
      }
      res.remove("Content-Length");
      if (error != null && isTimeout(error)) {
        LOG.warn("route {}: upstream timed out", route);
        EdgeResponses.error(res, 504, "upstream_timeout", "the upstream did not answer in time");
      } else {
        LOG.warn(
            "route {}: upstream failed: {}", route, error == null ? "unavailable" : reason(error));
        EdgeResponses.error(res, 502, "upstream_unavailable", "the upstream is unavailable");
      }
    }

    private void settle(Outcome outcome) {
      if (settled) {
        return;
      }
      settled = true;
      switch (outcome) {
        case ANSWERED -> breaker.succeeded();
        case FAILED -> breaker.failed();
        case NOT_TRIED -> breaker.released();
      }
    }

    private void finish(Outcome outcome) {
      finished = true;
      cancelTimeout();
      streamTo.complete(null);
      settle(outcome);
      result.complete(
          switch (outcome) {
            case ANSWERED -> Forwarding.ANSWERED;
            case FAILED -> Forwarding.UPSTREAM_FAILED;
            case NOT_TRIED -> tried.isEmpty() ? Forwarding.NO_TARGET : Forwarding.CLIENT_FAILED;
          });
    }
  }

  private static boolean expectsContent(HttpMethod method) {
    return method.equals(HttpMethod.POST)
        || method.equals(HttpMethod.PUT)
        || method.equals(HttpMethod.PATCH);
  }
}
