package dev.bulwark.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * One request on a Netty connection (HTTP/1.x) or stream (HTTP/2) and its answer. The request is
 * read and the answer written from the virtual thread that runs the gateway's pipeline; Netty hands
 * the writes to the connection's event loop.
 */
final class NettyExchange implements EdgeRequest, EdgeResponse {
  // Extension headers Netty adds when it turns an HTTP/2 stream into HTTP/1-style messages; they
  // are not the client's and are never forwarded.
  private static final String HTTP2_EXTENSION = "x-http2-";
  private static final int STREAM_BUFFER = 16 * 1024;
  // Written in the usual case on HTTP/1.x; HTTP/2 lower-cases every name.
  private static final String CONTENT_LENGTH = "Content-Length";
  private static final String CONNECTION = "Connection";

  private final Channel channel;
  private final HttpRequest request;
  private final String rawPath;
  private final String rawQuery;
  private final boolean http1;
  private final Optional<X509Certificate> clientCertificate;
  private final String peerAddress;
  private final BodyPipe body;
  private final boolean announced;
  private final HttpHeaders headers = new DefaultHttpHeaders();
  private HttpResponseStatus status = HttpResponseStatus.OK;
  private volatile boolean sent;
  private volatile boolean close;
  private volatile ChannelFuture lastWrite;
  private volatile CompletionStage<?> answered;
  private BodyStream stream;
  private volatile Object note;

  NettyExchange(
      Channel channel,
      HttpRequest request,
      boolean http1,
      Optional<X509Certificate> clientCertificate,
      String peerAddress,
      boolean announced,
      BodyPipe body) {
    this.channel = channel;
    this.request = request;
    this.http1 = http1;
    this.clientCertificate = clientCertificate;
    this.peerAddress = peerAddress;
    this.announced = announced;
    this.body = body;
    String uri = request.uri();
    int question = uri.indexOf('?');
    this.rawPath = question < 0 ? uri : uri.substring(0, question);
    this.rawQuery = question < 0 ? "" : uri.substring(question + 1);
    // A client that asks to close, or an HTTP/1.0 one that did not ask to stay, is closed after.
    this.close = http1 && !HttpUtil.isKeepAlive(request);
  }

  BodyPipe bodyPipe() {
    return body;
  }

  /** Whether the connection closes once this answer is out. */
  boolean closes() {
    return close;
  }

  /** What the handler left to complete the answer, if it returned before it was complete. */
  Optional<CompletionStage<?>> answered() {
    return Optional.ofNullable(answered);
  }

  /** The last write of the answer, once it is out. */
  Optional<ChannelFuture> lastWrite() {
    return Optional.ofNullable(lastWrite);
  }

  // ---- EdgeRequest ---------------------------------------------------------------------------

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String rawQuery() {
    return rawQuery;
  }

  @Override
  public Optional<String> authority() {
    return Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST));
  }

  @Override
  public void forEachField(BiConsumer<String, String> field) {
    for (Map.Entry<String, String> entry : request.headers()) {
      if (http1
          || !entry.getKey().regionMatches(true, 0, HTTP2_EXTENSION, 0, HTTP2_EXTENSION.length())) {
        field.accept(entry.getKey(), entry.getValue());
      }
    }
  }

  @Override
  public Optional<String> first(String name) {
    return Optional.ofNullable(request.headers().get(name));
  }

  @Override
  public List<String> all(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public OptionalLong contentLength() {
    // The parser has already refused a malformed or repeated Content-Length.
    long length = HttpUtil.getContentLength(request, -1L);
    return length < 0 ? OptionalLong.empty() : OptionalLong.of(length);
  }

  @Override
  public Optional<X509Certificate> clientCertificate() {
    return clientCertificate;
  }

  @Override
  public String peerAddress() {
    return peerAddress;
  }

  @Override
  public boolean http1() {
    return http1;
  }

  @Override
  public boolean hasBody() {
    return announced;
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public boolean bodyConsumed() {
    return body.consumed();
  }

  @Override
  public Optional<Object> note() {
    return Optional.ofNullable(note);
  }

  @Override
  public void note(Object note) {
    this.note = java.util.Objects.requireNonNull(note, "note");
  }

  // ---- EdgeResponse --------------------------------------------------------------------------

  @Override
  public void set(String name, String value) {
    headers.set(name, value);
  }

  @Override
  public void add(String name, String value) {
    headers.add(name, value);
  }

  @Override
  public void remove(String name) {
    headers.remove(name);
  }

  @Override
  public void status(int code) {
    status = HttpResponseStatus.valueOf(code);
  }

  @Override
  public int status() {
    return status.code();
  }

  @Override
  public void send(byte[] content) {
    if (sent) {
      throw new IllegalStateException("the answer was already sent");
    }
    // The length of what is sent, whatever an earlier Content-Length said.
    headers.remove(CONTENT_LENGTH);
    FullHttpResponse response = full(Unpooled.wrappedBuffer(content));
    sent = true;
    lastWrite = channel.writeAndFlush(response);
  }

  @Override
  public OutputStream stream() {
    if (stream == null) {
      if (sent) {
        throw new IllegalStateException("the answer was already sent");
      }
      stream = new BodyStream();
    }
    return stream;
  }

  @Override
  public boolean sent() {
    return sent;
  }

  @Override
  public void closeConnection() {
    close = true;
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public ChannelFuture relay(ByteBuf piece, boolean last) {
    if (!sent) {
      sent = true;
      if (last) {
        return lastWrite = channel.writeAndFlush(full(piece));
      }
      channel.write(head());
    }
    return lastWrite =
        channel.writeAndFlush(
            last ? new DefaultLastHttpContent(piece) : new DefaultHttpContent(piece));
  }

  @Override
  public boolean writable() {
    return channel.isWritable();
  }

  @Override
  public void abort() {
    close = true;
    channel.close();
  }

  @Override
  public void completesWith(CompletionStage<?> answered) {
    this.answered = answered;
  }

  /** Completes an answer the handler left open (a stream not closed). */
  void finish() {
    if (stream != null && !stream.closed) {
      try {
        stream.close();
      } catch (IOException e) {
        close = true;
      }
    }
  }

  // The whole answer in one write, with its length (unless it has none: a 204 or 304).
  private FullHttpResponse full(ByteBuf content) {
    if (!headers.contains(CONTENT_LENGTH) && !bodiless()) {
      headers.setInt(CONTENT_LENGTH, content.readableBytes());
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, headers, trailers());
    connectionHeader(response.headers());
    return response;
  }

  // The head of an answer whose body follows in pieces: chunked unless its length is known.
  private HttpResponse head() {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers);
    if (!headers.contains(CONTENT_LENGTH) && !bodiless()) {
      head.headers().set("Transfer-Encoding", "chunked");
    }
    connectionHeader(head.headers());
    return head;
  }

  // RFC 9110 §8.6: neither Content-Length nor a body on a 204; a 304's describes what it stands
  // for.
  private boolean bodiless() {
    int code = status.code();
    return code == 204 || code == 304;
  }

  private static HttpHeaders trailers() {
    return new DefaultHttpHeaders();
  }

  // HTTP/1.x only: HTTP/2 has no Connection field (RFC 9113 §8.2.2), and Netty drops it there.
  private void connectionHeader(HttpHeaders out) {
    if (!http1) {
      out.remove(HttpHeaderNames.CONNECTION);
      return;
    }
    // A body not yet wholly received when the answer starts could otherwise be taken for the next
    // request on this connection.
    if (!body.complete()) {
      close = true;
    }
    if (close) {
      out.set(CONNECTION, "close");
    } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      out.set(CONNECTION, "keep-alive");
    } else {
      out.remove(HttpHeaderNames.CONNECTION);
    }
  }

  // The answer's body, buffered up to 16 KiB: a small answer goes out whole, with its length, in
  // one write; a larger one is sent as it comes, waiting while the client is slow to take it.
  private final class BodyStream extends OutputStream {
    private ByteBuf buffer = channel.alloc().buffer(1024);
    private boolean headSent;
    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("the answer is complete");
      }
      buffer.writeBytes(b, off, len);
      if (buffer.readableBytes() >= STREAM_BUFFER) {
        flushChunk();
      }
    }

    @Override
    public void flush() throws IOException {
      if (!closed && buffer.isReadable()) {
        flushChunk();
      }
    }

    private void flushChunk() throws IOException {
      sendHead();
      ByteBuf chunk = buffer;
      buffer = channel.alloc().buffer(STREAM_BUFFER);
      write(new DefaultHttpContent(chunk));
    }

    private void sendHead() {
      if (headSent) {
        return;
      }
      headSent = true;
      sent = true;
      channel.write(head());
    }

    private void write(Object message) throws IOException {
      ChannelFuture written = channel.writeAndFlush(message);
      lastWrite = written;
      // Back-pressure: past the channel's high-water mark, wait until the client has taken it.
      if (!channel.isWritable()) {
        written.awaitUninterruptibly();
        if (!written.isSuccess()) {
          throw new IOException("the client went away", written.cause());
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      if (!headSent) {
        sent = true;
        lastWrite = channel.writeAndFlush(full(buffer));
        return;
      }
      ByteBuf rest = buffer;
      write(new DefaultLastHttpContent(rest));
    }
  }
}
