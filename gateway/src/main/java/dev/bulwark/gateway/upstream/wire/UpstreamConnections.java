package dev.bulwark.gateway.upstream.wire;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/1.1 client for one upstream origin over pooled keep-alive TLS 1.3 connections, with
 * blocking I/O for callers on virtual threads. The server's certificate must name the origin's host
 * (endpoint identification "HTTPS", RFC 9110 §4.3.4) and only TLS 1.3 is offered, whatever the
 * given parameters say. At most {@code maxIdle} idle connections are kept, each for at most {@code
 * idleTimeout}; there is no limit on connections in use.
 *
 * <p>A request on a pooled connection that fails before any byte of a response arrived (the
 * upstream closed the idle connection) is sent once more on a fresh connection, when that is safe:
 * its method is idempotent (RFC 9110 §9.2.2) and its content is in memory.
 */
public final class UpstreamConnections implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(UpstreamConnections.class.getName());

  private final String host;
  private final int port;
  private final String authority;
  private final SSLContext tls;
  private final SSLParameters parameters;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final int maxIdle;
  private final long idleTimeoutNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Http1Connection> idle = new ArrayDeque<>(); // most recent first
  private long opened;
  private boolean closed;

  /**
   * A client for {@code origin}.
   *
   * @param origin {@code https://host[:port]} with no path, query, fragment or user info
   * @param tls the context that verifies the upstream (and may present a client certificate)
   * @param parameters TLS parameters (cipher suites, named groups...); protocols and endpoint
   *     identification are overridden to TLS 1.3 and "HTTPS"
   * @param connectTimeout how long a TCP connect may take
   * @param readTimeout how long the TLS handshake or any read may wait for bytes
   * @param maxIdle how many idle connections to keep (0: none)
   * @param idleTimeout how long an idle connection is kept; keep it below the upstream's own
   */
  public UpstreamConnections(
      URI origin,
      SSLContext tls,
      SSLParameters parameters,
      Duration connectTimeout,
      Duration readTimeout,
      int maxIdle,
      Duration idleTimeout) {
    this(
        origin,
        tls,
        parameters,
        connectTimeout,
        readTimeout,
        maxIdle,
        idleTimeout,
        System::nanoTime);
  }

  UpstreamConnections(
      URI origin,
      SSLContext tls,
      SSLParameters parameters,
      Duration connectTimeout,
      Duration readTimeout,
      int maxIdle,
      Duration idleTimeout,
      LongSupplier nanoTime) {
    requireNonNull(origin, "origin");
    this.tls = requireNonNull(tls, "tls");
    this.parameters = requireNonNull(parameters, "parameters");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    if (!"https".equalsIgnoreCase(origin.getScheme())
        || origin.getHost() == null
        || origin.getRawUserInfo() != null
        || origin.getRawQuery() != null
        || origin.getRawFragment() != null
        || !(origin.getRawPath() == null
            || origin.getRawPath().isEmpty()
            || origin.getRawPath().equals("/"))) {
      throw new IllegalArgumentException(
          "origin: "
              + origin
              + " (expected: https://host[:port] without path, query or user info)");
    }
    String uriHost = origin.getHost();
    this.host = uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
    this.port = origin.getPort() < 0 ? 443 : origin.getPort();
    this.authority = origin.getRawAuthority();
    this.connectTimeoutMillis = positiveMillis(connectTimeout, "connectTimeout");
    this.readTimeoutMillis = positiveMillis(readTimeout, "readTimeout");
    if (maxIdle < 0) {
      throw new IllegalArgumentException("maxIdle: " + maxIdle + " (expected: >= 0)");
    }
    this.maxIdle = maxIdle;
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
    }
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  private static int positiveMillis(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0 and < 24 days)");
    }
    return (int) Math.max(1, d.toMillis());
  }

  /**
   * Sends {@code request} and reads the head of the final response. The caller reads the body and
   * closes the exchange.
   *
   * @throws MalformedResponseException if the upstream's answer is not a well-formed, unambiguous
   *     HTTP/1.1 response (nothing of it may be passed on)
   * @throws IOException if the connection could not be made or failed
   */
  public UpstreamExchange send(UpstreamRequest request) throws IOException {
    requireNonNull(request, "request");
    Http1Connection pooled = takeIdle();
    if (pooled != null) {
      UpstreamExchange exchange = exchange(pooled, request, true);
      if (exchange != null) {
        return exchange;
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          "pooled connection to {0} was stale; sending again on a fresh one",
          authority);
    }
    return exchange(open(), request, false);
  }

  /**
   * Null when a reused connection failed before any response byte and the request may be resent.
   */
  private UpstreamExchange exchange(
      Http1Connection connection, UpstreamRequest request, boolean reused) throws IOException {
    long receivedBefore = connection.input().received();
    boolean headRequest = request.method().equals("HEAD");
    ResponseHead.Parsed parsed;
    try {
      connection.write(request, authority);
      parsed = ResponseHead.read(connection.input(), headRequest);
    } catch (IOException e) {
      connection.close();
      if (reused
          && retryable(request)
          && !(e instanceof SocketTimeoutException)
          && !(e instanceof MalformedResponseException)
          && connection.input().received() == receivedBefore) {
        return null;
      }
      throw e;
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
    if (parsed == null) {
      connection.close();
      if (reused && retryable(request)) {
        return null;
      }
      throw new IOException("upstream " + authority + " closed the connection without a response");
    }
    ResponseHead head = parsed.head();
    WireInput in = connection.input();
    ResponseBody body =
        switch (head.framing()) {
          case NONE -> ResponseBody.empty();
          case LENGTH -> ResponseBody.fixed(in, parsed.contentLength());
          case CHUNKED -> ResponseBody.chunked(in);
          case UNTIL_CLOSE -> ResponseBody.untilClose(in);
        };
    return new UpstreamExchange(head, body, connection, this);
  }

  private static boolean retryable(UpstreamRequest request) {
    return request.idempotent() && request.body().replayable();
  }

  private Http1Connection open() throws IOException {
    // Unconnected, then connected to the host by name: JSSE takes the peer host for SNI and for
    // endpoint identification from the address's host name.
    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSSLParameters(parameters);
      SSLParameters effective = socket.getSSLParameters();
      effective.setProtocols(new String[] {"TLSv1.3"});
      effective.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(effective);
      socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
      socket.setSoTimeout(readTimeoutMillis);
      socket.startHandshake();
      Http1Connection connection = new Http1Connection(socket);
      lock.lock();
      try {
        opened++;
      } finally {
        lock.unlock();
      }
      return connection;
    } catch (IOException | RuntimeException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private Http1Connection takeIdle() {
    List<Http1Connection> expired = new ArrayList<>(0);
    Http1Connection found = null;
    long now = nanoTime.getAsLong();
    lock.lock();
    try {
      sweep(now, expired);
      found = idle.pollFirst();
    } finally {
      lock.unlock();
    }
    expired.forEach(Http1Connection::close);
    return found;
  }

  /** Called by an exchange whose connection is positioned at the start of the next response. */
  void release(Http1Connection connection) {
    List<Http1Connection> evicted = new ArrayList<>(0);
    long now = nanoTime.getAsLong();
    lock.lock();
    try {
      if (closed || maxIdle == 0) {
        evicted.add(connection);
      } else {
        connection.idleSince(now);
        sweep(now, evicted);
        if (idle.size() >= maxIdle) {
          evicted.add(idle.pollLast());
        }
        idle.addFirst(connection);
      }
    } finally {
      lock.unlock();
    }
    evicted.forEach(Http1Connection::close);
  }

  /** Moves connections idle longer than the timeout (the oldest are last) to {@code expired}. */
  private void sweep(long now, List<Http1Connection> expired) {
    while (!idle.isEmpty() && now - idle.peekLast().idleSinceNanos() >= idleTimeoutNanos) {
      expired.add(idle.pollLast());
    }
  }

  /** Connections opened so far (for metrics and tests). */
  public long connectionsOpened() {
    lock.lock();
    try {
      return opened;
    } finally {
      lock.unlock();
    }
  }

  /** Idle connections in the pool now. */
  public int idleConnections() {
    lock.lock();
    try {
      return idle.size();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the idle connections; connections in use are closed when their exchange is. */
  @Override
  public void close() {
    List<Http1Connection> all;
    lock.lock();
    try {
      closed = true;
      all = new ArrayList<>(idle);
      idle.clear();
    } finally {
      lock.unlock();
    }
    all.forEach(Http1Connection::close);
  }

  @Override
  public String toString() {
    return "UpstreamConnections[https://" + authority + "]";
  }
}
