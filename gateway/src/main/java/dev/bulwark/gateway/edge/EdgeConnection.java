package dev.bulwark.gateway.edge;

import dev.bulwark.runtime.http.PeerAddress;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one HTTP/1.x connection, or of one HTTP/2 stream, taken one at a time: each runs
 * on its own virtual thread, and the connection reads nothing more until that request asks for its
 * body or has been answered. Pipelined HTTP/1.1 requests wait their turn, so answers keep their
 * order.
 */
final class EdgeConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeConnection.class);

  private static final AttributeKey<Peer> PEER = AttributeKey.valueOf("bulwark.edge.peer");

  private static final int MAX_WAITING = 16;

  private final boolean http1;
  private final long maxPayloadSize;
  private final EdgeTimeouts timeouts;
  private final Executor executor;
  private final EdgeListener.Dispatcher dispatcher;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private NettyExchange current;
  private boolean closing;
  private ScheduledFuture<?> headDeadline;

  EdgeConnection(
      boolean http1,
      long maxPayloadSize,
      EdgeTimeouts timeouts,
      Executor executor,
      EdgeListener.Dispatcher dispatcher) {
    this.http1 = http1;
    this.maxPayloadSize = maxPayloadSize;
    this.timeouts = timeouts;
    this.executor = executor;
    this.dispatcher = dispatcher;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    // An HTTP/1.x connection reads on its own while no body is being read: turning reading off
    // and on around every request would cost two system calls each (epoll_ctl). A body is read
    // only on demand, and past a few pipelined requests reading stops until they are served. An
    // HTTP/2 stream reads on demand throughout, which is what keeps its flow-control window shut.
    ctx.channel().config().setAutoRead(http1);
    if (ctx.channel().isActive()) {
      awaitNextRequest();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    awaitNextRequest();
    ctx.fireChannelActive();
  }

  // Reads the next request, which must arrive whole in time: this bounds both an idle keep-alive
  // connection and one sending its head a byte at a time (slowloris).
  private void awaitNextRequest() {
    if (http1 && headDeadline == null) {
      headDeadline =
          ctx.executor()
              .schedule(
                  () -> {
                    if (current == null) {
                      LOG.debug("closing a connection that sent no whole request in time");
                      ctx.close();
                    }
                  },
                  timeouts.nextRequest().toMillis(),
                  TimeUnit.MILLISECONDS);
    }
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (current != null) {
      if (!current.bodyPipe().complete()
          && msg instanceof HttpContent content
          && waiting.isEmpty()) {
        current.bodyPipe().offer(content.content(), content instanceof LastHttpContent);
        return;
      }
      // The next pipelined request, or what follows it: it waits for this one's answer.
      waiting.add(msg);
      if (waiting.size() >= MAX_WAITING) {
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    start(msg);
  }

  private void start(Object msg) {
    if (!(msg instanceof HttpRequest request)) {
      // Content with no request of its own: the rest of a body the gateway stopped reading.
      ReferenceCountUtil.release(msg);
      ctx.read();
      return;
    }
    if (headDeadline != null) {
      headDeadline.cancel(false);
      headDeadline = null;
    }
    if (request.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      refuse(statusFor(request.decoderResult().cause()), request.decoderResult().cause());
      return;
    }
    Optional<String> framing = framingProblem(request);
    if (framing.isPresent()) {
      ReferenceCountUtil.release(msg);
      refuse(HttpResponseStatus.BAD_REQUEST, new IllegalArgumentException(framing.get()));
      return;
    }
    boolean announced = announcesBody(request);
    if (announced && http1) {
      // From here the body is read as the request asks for it (BodyPipe).
      ctx.channel().config().setAutoRead(false);
    }
    BodyPipe body =
        announced
            ? new BodyPipe(
                maxPayloadSize,
                timeouts.bodyRead(),
                new Source(HttpUtil.is100ContinueExpected(request)))
            : BodyPipe.empty();
    Peer peer = peer();
    NettyExchange exchange =
        new NettyExchange(
            ctx.channel(), request, http1, peer.certificate(), peer.address(), announced, body);
    current = exchange;
    if (msg instanceof HttpContent content) {
      // A whole request at once (HTTP/2 with its body, or none, in one go).
      if (announced) {
        body.offer(content.retain().content(), msg instanceof LastHttpContent);
      }
      ReferenceCountUtil.release(msg);
    }
    if (dispatcher.nonBlocking(exchange)) {
      dispatcher.dispatch(exchange, () -> ended(exchange));
    } else {
      executor.execute(() -> dispatcher.dispatch(exchange, () -> ended(exchange)));
    }
  }

  // Called once the request's answer has been handed to Netty: on its virtual thread, or on the
  // event loop when it was handled there or its answer was relayed.
  private void ended(NettyExchange exchange) {
    ctx.executor().execute(() -> afterAnswer(exchange));
  }

  private void afterAnswer(NettyExchange exchange) {
    boolean bodyLeft = !exchange.bodyPipe().complete();
    exchange.bodyPipe().release();
    current = null;
    if (!http1) {
      if (bodyLeft) {
        // RFC 9113 §8.1: after a complete answer, a server may ask the client to stop sending
        // the request's body, without error, with RST_STREAM(NO_ERROR).
        exchange
            .lastWrite()
            .ifPresent(
                written ->
                    written.addListener(
                        f -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))));
      }
      close(exchange);
      return;
    }
    if (exchange.closes() || bodyLeft) {
      close(exchange);
      return;
    }
    if (!ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
    while (!waiting.isEmpty()) {
      Object next = waiting.poll();
      if (next instanceof HttpRequest) {
        start(next);
        // The body of the request just started, as far as it was already read.
        while (current != null
            && !current.bodyPipe().complete()
            && waiting.peek() instanceof HttpContent content) {
          waiting.poll();
          current.bodyPipe().offer(content.content(), content instanceof LastHttpContent);
        }
        return;
      }
      ReferenceCountUtil.release(next);
    }
    awaitNextRequest();
  }

  private void close(NettyExchange exchange) {
    closing = true;
    waiting.forEach(ReferenceCountUtil::release);
    waiting.clear();
    exchange
        .lastWrite()
        .ifPresentOrElse(
            written -> written.addListener(ChannelFutureListener.CLOSE), () -> ctx.close());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null && current.bodyPipe().wantsMore()) {
      current.bodyPipe().reading();
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (headDeadline != null) {
      headDeadline.cancel(false);
    }
    if (current != null) {
      current.bodyPipe().fail("the client closed the connection");
    }
    waiting.forEach(ReferenceCountUtil::release);
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("closing a gateway connection: {}", cause.toString());
    if (current != null) {
      current.bodyPipe().fail("the connection failed");
    }
    ctx.close();
  }

  // A message the parser refused: answered with no body and the connection closed, as the
  // parser cannot tell where the next request would start.
  private void refuse(HttpResponseStatus status, Throwable why) {
    LOG.debug("refusing a malformed request: {}", why == null ? "-" : why.getMessage());
    closing = true;
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    response.headers().set("Content-Length", "0");
    if (http1) {
      response.headers().set("Connection", "close");
    }
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private static HttpResponseStatus statusFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  // RFC 9112 §6.1 and §3.2: the framing the gateway accepts from HTTP/1.x clients. Netty's parser
  // already refuses several Content-Length values and Content-Length beside Transfer-Encoding.
  private Optional<String> framingProblem(HttpRequest request) {
    if (!http1) {
      return Optional.empty();
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()
        && (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked"))) {
      return Optional.of("Transfer-Encoding other than a single chunked");
    }
    if (!codings.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return Optional.of("Transfer-Encoding in an HTTP/1.0 request");
    }
    int hosts = request.headers().getAll(HttpHeaderNames.HOST).size();
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) ? hosts != 1 : hosts > 1) {
      return Optional.of("an HTTP/1.1 request needs exactly one Host");
    }
    return Optional.empty();
  }

  private boolean announcesBody(HttpRequest request) {
    if (request instanceof FullHttpRequest full) {
      return full.content().isReadable();
    }
    if (!http1) {
      return true;
    }
    return HttpUtil.isTransferEncodingChunked(request)
        || HttpUtil.getContentLength(request, 0L) > 0;
  }

  private Channel connection() {
    Channel channel = ctx.channel();
    return http1 || channel.parent() == null ? channel : channel.parent();
  }

  // Who is on the other end does not change for the life of a connection (TLS 1.3 has no
  // renegotiation): read once per connection, not per request, where asking costs an exception
  // for each client that sent no certificate.
  private Peer peer() {
    Channel connection = connection();
    Peer peer = connection.attr(PEER).get();
    if (peer == null) {
      peer = new Peer(clientCertificate(connection), PeerAddress.of(connection.remoteAddress()));
      connection.attr(PEER).set(peer);
    }
    return peer;
  }

  private static Optional<X509Certificate> clientCertificate(Channel connection) {
    SslHandler tls = connection.pipeline().get(SslHandler.class);
    if (tls == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = tls.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        return Optional.of(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // No certificate was presented: the caller is known by its token alone.
    }
    return Optional.empty();
  }

  private record Peer(Optional<X509Certificate> certificate, String address) {}

  // What the body asks of this connection, always on its event loop.
  private final class Source implements BodyPipe.Source {
    private final boolean expectsContinue;

    Source(boolean expectsContinue) {
      this.expectsContinue = expectsContinue;
    }

    @Override
    public void readMore() {
      ctx.executor().execute(ctx::read);
    }

    @Override
    public void firstRead() {
      // RFC 9110 §10.1.1: the client waits for this before sending the body; it is sent only once
      // the gateway reads the body, so a refused request's body is never sent at all.
      if (expectsContinue && http1) {
        ctx.executor()
            .execute(
                () ->
                    ctx.writeAndFlush(
                        new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            HttpResponseStatus.CONTINUE,
                            Unpooled.EMPTY_BUFFER)));
      }
    }
  }
}
