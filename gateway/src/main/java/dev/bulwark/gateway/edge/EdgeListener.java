package dev.bulwark.gateway.edge;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.runtime.http.RequestTimers;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The gateway's own HTTPS listener, on Netty: TLS 1.3 with ALPN for HTTP/2 and HTTP/1.1, each
 * request handed whole to a virtual thread running the gateway's pipeline. It replaces the Helidon
 * listener on the gateway's data path only (docs/adr/0001-http-stack.md, amendment of 2026-11-24:
 * the same proxy hop costs markedly less on Netty), and is configured from the same {@link
 * HttpListener.Settings} every Bulwark listener takes.
 */
public final class EdgeListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeListener.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("bulwark.access");

  private final EventLoopGroup group;
  private final ExecutorService requests;
  private final Channel server;
  private final URI url;

  private EdgeListener(EventLoopGroup group, ExecutorService requests, Channel server, URI url) {
    this.group = group;
    this.requests = requests;
    this.server = server;
    this.url = url;
  }

  /**
   * Starts a listener with {@code settings}, answering every request with {@code handler}, on the
   * event loop where the handler says it does not block.
   *
   * @throws IllegalStateException if the address cannot be bound
   */
  public static EdgeListener start(HttpListener.Settings settings, EdgeHandler handler) {
    return start(settings, EdgeTimeouts.DEFAULTS, handler);
  }

  static EdgeListener start(
      HttpListener.Settings settings, EdgeTimeouts timeouts, EdgeHandler handler) {
    requireNonNull(settings, "settings");
    requireNonNull(timeouts, "timeouts");
    requireNonNull(handler, "handler");
    SslContext tls = EdgeTls.server(settings);
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            Runtime.getRuntime().availableProcessors(), EdgeTransport.ioHandler());
    ExecutorService requests =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name(settings.component() + "-request-", 0).factory());
    Dispatcher dispatcher = new Dispatcher(settings, handler);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(EdgeTransport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            // Without it, small answers wait out Nagle and delayed ACKs (~40 ms; ADR 0001).
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    ch.pipeline()
                        .addLast(new Negotiation(settings, timeouts, requests, dispatcher));
                  }
                });
    try {
      Channel server = bootstrap.bind(settings.host(), settings.port()).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
      URI url = URI.create("https://" + host + ":" + port);
      LOG.info(
          "{} listening on {} (Netty, {})",
          settings.component(),
          url,
          EdgeTransport.epoll() ? "epoll" : "nio");
      return new EdgeListener(group, requests, server, url);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      throw new IllegalStateException("interrupted while binding " + settings.host(), e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      requests.shutdown();
      throw new IllegalStateException(
          "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
  }

  /** The listener's base URL. */
  public URI url() {
    return url;
  }

  /** The port it listens on. */
  public int port() {
    return url.getPort();
  }

  /** Stops accepting, lets requests under way finish for up to two seconds, then closes. */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
    requests.shutdown();
    try {
      requests.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  // Chooses HTTP/2 or HTTP/1.1 once ALPN is done.
  private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final HttpListener.Settings settings;
    private final EdgeTimeouts timeouts;
    private final ExecutorService requests;
    private final Dispatcher dispatcher;

    Negotiation(
        HttpListener.Settings settings,
        EdgeTimeouts timeouts,
        ExecutorService requests,
        Dispatcher dispatcher) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.settings = settings;
      this.timeouts = timeouts;
      this.requests = requests;
      this.dispatcher = dispatcher;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      ChannelPipeline pipeline = ctx.pipeline();
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        pipeline.addLast(
            new IdleStateHandler(0, 0, timeouts.idleHttp2().toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast(new CloseWhenIdle());
        pipeline.addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings()
                        .maxConcurrentStreams(256)
                        .maxHeaderListSize(settings.maxHeadersSize()))
                .validateHeaders(true)
                .build());
        pipeline.addLast(
            new Http2MultiplexHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel stream) {
                    stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true));
                    stream
                        .pipeline()
                        .addLast(
                            new EdgeConnection(
                                false, settings.maxPayloadSize(), timeouts, requests, dispatcher));
                  }
                }));
        return;
      }
      pipeline.addLast(
          new StrictRequestDecoder(settings.maxPrologueLength(), settings.maxHeadersSize()));
      pipeline.addLast(new HttpResponseEncoder());
      pipeline.addLast(
          new EdgeConnection(true, settings.maxPayloadSize(), timeouts, requests, dispatcher));
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("TLS handshake failed: {}", cause.toString());
      ctx.close();
    }
  }

  // An HTTP/2 connection with no frame either way for the whole idle time is closed; a stream
  // waiting on its upstream is bounded by the upstream's own timeout, well below it.
  private static final class CloseWhenIdle extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(event);
    }
  }

  /**
   * Runs one request on its virtual thread: a request id for the logs and the answer, the handler,
   * a 500 for what the handler did not expect, the request's metric and access-log line.
   */
  static final class Dispatcher {
    private final HttpListener.Settings settings;
    private final EdgeHandler handler;
    private final RequestTimers timers;

    Dispatcher(HttpListener.Settings settings, EdgeHandler handler) {
      this.settings = settings;
      this.handler = handler;
      this.timers = new RequestTimers(settings.component(), settings.metrics().registry());
    }

    /** Whether the request may be handled on its event loop. */
    boolean nonBlocking(NettyExchange exchange) {
      try {
        return handler.nonBlocking(exchange);
      } catch (RuntimeException e) {
        LOG.warn("could not tell whether a request blocks; it gets a thread: {}", e.toString());
        return false;
      }
    }

    void dispatch(NettyExchange exchange, Runnable ended) {
      // A public edge issues the id: outside clients cannot choose the one internal logs show.
      String requestId = RequestIds.create();
      MDC.put(RequestIds.MDC_KEY, requestId);
      MDC.put("component", settings.component());
      long start = System.nanoTime();
      try {
        exchange.set("X-Request-Id", requestId);
        handler.handle(exchange, exchange);
      } catch (EdgeException e) {
        exchange.closeConnection();
        if (!exchange.sent() && exchange.answered().isEmpty()) {
          EdgeResponses.error(
              exchange,
              e.status(),
              switch (e.status()) {
                case 413 -> "request_too_large";
                case 408 -> "request_timeout";
                default -> "invalid_request";
              },
              e.getMessage());
        }
      } catch (RuntimeException e) {
        LOG.error("unhandled error serving {} {}", exchange.method(), exchange.rawPath(), e);
        exchange.closeConnection();
        if (!exchange.sent() && exchange.answered().isEmpty()) {
          EdgeResponses.error(exchange, 500, "server_error", "the request could not be served");
        }
      } finally {
        Optional<CompletionStage<?>> answered = exchange.answered();
        if (answered.isPresent()) {
          MDC.remove(RequestIds.MDC_KEY);
          MDC.remove("component");
          // Completed on the event loop that relayed the answer, or here if it already is.
          answered
              .get()
              .whenComplete(
                  (result, failure) -> {
                    MDC.put(RequestIds.MDC_KEY, requestId);
                    MDC.put("component", settings.component());
                    end(exchange, start, ended);
                  });
        } else {
          end(exchange, start, ended);
        }
      }
    }

    // With the request's MDC set, which it clears.
    private void end(NettyExchange exchange, long start, Runnable ended) {
      try {
        if (!exchange.sent()) {
          EdgeResponses.error(exchange, 500, "server_error", "the request was not answered");
        }
        exchange.finish();
      } catch (RuntimeException e) {
        exchange.closeConnection();
        LOG.debug("could not complete an answer: {}", e.toString());
      }
      long nanos = System.nanoTime() - start;
      String method = exchange.method();
      // One route for the whole listener: the gateway's own metrics are per route.
      timers.timer(method, "/*", exchange.status()).record(nanos, TimeUnit.NANOSECONDS);
      // The path only: query strings can carry secrets, so they are never logged.
      if (ACCESS.isInfoEnabled()) {
        ACCESS.info(
            "{} {} {} {}ms peer={} workload=-",
            method,
            exchange.rawPath(),
            exchange.status(),
            TimeUnit.NANOSECONDS.toMillis(nanos),
            exchange.peerAddress());
      }
      MDC.remove(RequestIds.MDC_KEY);
      MDC.remove("component");
      ended.run();
    }
  }
}
