package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.edge.EdgeTls;
import dev.bulwark.gateway.edge.EdgeTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Keep-alive HTTP/1.1 connections over TLS 1.3 to one upstream target, opened on the event loop of
 * the listener's connection they serve and pooled per event loop, so that a request, its answer and
 * the connection they travel on never change threads. The target's certificate must name its host
 * (endpoint identification "HTTPS", RFC 9110 §4.3.4). At most {@code maxIdle} connections per event
 * loop are kept idle, each for at most the idle timeout (checked when connections are taken and
 * given back, so a pool no request uses keeps its last few until the upstream closes them);
 * connections in use are not limited (the route's concurrency limit bounds them).
 *
 * <p>Every method but {@link #close()} and {@link #connectionsOpened()} is called on the event loop
 * the connection belongs to.
 */
final class UpstreamConnections implements AutoCloseable {
  private final String host;
  private final int port;
  private final String authority;
  private final SslContext tls;
  private final int handshakeTimeoutMillis;
  private final int maxIdle;
  private final int maxHeaderSize;
  private final long idleTimeoutNanos;
  private final Bootstrap bootstrap;
  private final Map<EventLoop, ArrayDeque<Connection>> idle = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean closed;

  /**
   * Connections to {@code target}.
   *
   * @param target {@code https://host[:port]}; a path is the caller's business
   * @param tls verifies the target (and may present the gateway's client certificate)
   * @param connectTimeout how long a TCP connect may take
   * @param handshakeTimeout how long the TLS handshake may take
   * @param maxIdle how many idle connections to keep per event loop (0: none)
   * @param idleTimeout how long an idle connection is kept; keep it below the upstream's own
   * @param maxHeaderSize the largest response header section accepted, in bytes
   */
  UpstreamConnections(
      URI target,
      SSLContext tls,
      Duration connectTimeout,
      Duration handshakeTimeout,
      int maxIdle,
      Duration idleTimeout,
      int maxHeaderSize) {
    requireNonNull(target, "target");
    requireNonNull(tls, "tls");
    if (!"https".equalsIgnoreCase(target.getScheme()) || target.getHost() == null) {
      throw new IllegalArgumentException("target: " + target + " (expected: https://host[:port])");
    }
    String uriHost = target.getHost();
    this.host = uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost;
    this.port = target.getPort() < 0 ? 443 : target.getPort();
    this.authority = target.getRawAuthority();
    this.tls = EdgeTls.client(tls);
    this.handshakeTimeoutMillis = positiveMillis(handshakeTimeout, "handshakeTimeout");
    if (maxIdle < 0) {
      throw new IllegalArgumentException("maxIdle: " + maxIdle + " (expected: >= 0)");
    }
    this.maxIdle = maxIdle;
    this.maxHeaderSize = maxHeaderSize;
    this.idleTimeoutNanos =
        TimeUnit.MILLISECONDS.toNanos(positiveMillis(idleTimeout, "idleTimeout"));
    this.bootstrap =
        new Bootstrap()
            .channel(EdgeTransport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                positiveMillis(connectTimeout, "connectTimeout"))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    Connection connection = new Connection(ch);
                    ch.pipeline()
                        .addLast(handshake(ch))
                        .addLast(new HttpRequestEncoder())
                        .addLast(connection.decoder)
                        .addLast(connection);
                  }
                });
  }

  private static int positiveMillis(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0 and < 24 days)");
    }
    return (int) Math.max(1, d.toMillis());
  }

  // TLS 1.3 only, and the peer's certificate must name the host it was reached by.
  private SslHandler handshake(Channel ch) {
    SslHandler handler = tls.newHandler(ch.alloc(), host, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }

  /** The authority requests to this target carry as {@code Host}. */
  String authority() {
    return authority;
  }

  /**
   * An idle connection of {@code loop} (unless {@code fresh}), else a new one once its TLS
   * handshake is done.
   */
  Future<Connection> acquire(EventLoop loop, boolean fresh) {
    if (!fresh) {
      ArrayDeque<Connection> pool = idle.get(loop);
      Connection found;
      long now = System.nanoTime();
      while (pool != null && (found = pool.pollFirst()) != null) {
        // Idle too long: the upstream may be closing it just as a request goes out on it.
        if (found.channel.isActive() && now - found.idleSince < idleTimeoutNanos) {
          found.reused = true;
          return loop.newSucceededFuture(found);
        }
        found.channel.close();
      }
    }
    Promise<Connection> ready = loop.newPromise();
    if (closed) {
      return ready.setFailure(new IllegalStateException("the upstream connections are closed"));
    }
    bootstrap
        .clone(loop)
        .connect(host, port)
        .addListener(
            connected -> {
              if (!connected.isSuccess()) {
                ready.setFailure(connected.cause());
                return;
              }
              opened.incrementAndGet();
              Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
              channel
                  .pipeline()
                  .get(SslHandler.class)
                  .handshakeFuture()
                  .addListener(
                      handshake -> {
                        if (handshake.isSuccess()) {
                          ready.setSuccess(channel.pipeline().get(Connection.class));
                        } else {
                          channel.close();
                          ready.setFailure(handshake.cause());
                        }
                      });
            });
    return ready;
  }

  /** Takes back a connection positioned at the start of its next response. */
  void release(Connection connection) {
    connection.user = null;
    // Reading again, should the request have paused it for a slow client: an idle connection
    // must notice its peer closing.
    connection.channel.config().setAutoRead(true);
    ArrayDeque<Connection> pool =
        idle.computeIfAbsent(connection.channel.eventLoop(), loop -> new ArrayDeque<>());
    if (closed || !connection.channel.isActive() || pool.size() >= maxIdle) {
      connection.channel.close();
      return;
    }
    connection.idleSince = System.nanoTime();
    pool.addFirst(connection);
    // The oldest go first: past the idle timeout, they are closed rather than kept.
    Connection oldest;
    while ((oldest = pool.peekLast()) != null
        && connection.idleSince - oldest.idleSince >= idleTimeoutNanos) {
      pool.pollLast().channel.close();
    }
  }

  /** Connections opened so far. */
  long connectionsOpened() {
    return opened.get();
  }

  /** Closes the idle connections; those in use are closed when their request ends. */
  @Override
  public void close() {
    closed = true;
    idle.forEach(
        (loop, pool) -> {
          // A loop already shutting down (the listener closed first) closes its channels itself.
          if (!loop.isShuttingDown()) {
            try {
              loop.execute(
                  () -> {
                    pool.forEach(connection -> connection.channel.close());
                    pool.clear();
                  });
            } catch (RejectedExecutionException e) {
              // Shut down meanwhile: the same.
            }
          }
        });
  }

  @Override
  public String toString() {
    return "UpstreamConnections[https://" + authority + "]";
  }

  /** What a connection in use reports to the request it carries, on its event loop. */
  interface User {
    /** A response head, piece of body, or the parser's failure ({@code DecoderResult}). */
    void received(Object message);

    /** The connection failed or was closed. */
    void failed(Throwable cause);
  }

  /** One connection: its channel, parser, and the request it carries now, if any. */
  final class Connection extends ChannelInboundHandlerAdapter {
    final Channel channel;
    final UpstreamResponseDecoder decoder;
    private User user;
    private boolean reused;
    private long idleSince;

    private Connection(Channel channel) {
      this.channel = channel;
      this.decoder = new UpstreamResponseDecoder(maxHeaderSize);
    }

    /** Hands the connection to {@code user} until it is released or closed. */
    void use(User user) {
      this.user = user;
    }

    /** Whether it served an earlier request (its peer may have closed it meanwhile). */
    boolean reused() {
      return reused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (user == null) {
        // Nothing may arrive on an idle connection: it cannot be trusted with the next request.
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      user.received(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (user != null) {
        User was = user;
        user = null;
        was.failed(new java.io.IOException("upstream " + authority + " closed the connection"));
      } else {
        ArrayDeque<Connection> pool = idle.get(ctx.channel().eventLoop());
        if (pool != null) {
          pool.remove(this);
        }
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (user != null) {
        User was = user;
        user = null;
        was.failed(cause);
      }
      ctx.close();
    }
  }
}
