package dev.bulwark.gateway.upstream.wire;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The upstream's answer to one request: status, header fields and a body stream delimited by the
 * response's framing. Close it (or its body) when done: the connection goes back to the pool only
 * when the body was read to its end and the response allows keep-alive; otherwise it is closed.
 */
public final class UpstreamExchange implements AutoCloseable {
  private final ResponseHead head;
  private final ResponseBody body;
  private final Http1Connection connection;
  private final UpstreamConnections pool;
  private final InputStream stream;
  private boolean closed;

  UpstreamExchange(
      ResponseHead head, ResponseBody body, Http1Connection connection, UpstreamConnections pool) {
    this.head = head;
    this.body = body;
    this.connection = connection;
    this.pool = pool;
    this.stream = new BodyStream();
  }

  /** The final status code (interim 1xx responses are skipped). */
  public int status() {
    return head.status();
  }

  /**
   * The header fields in the order received, names as sent. They include the upstream's framing and
   * hop-by-hop fields (Content-Length, Transfer-Encoding, Connection...): a proxy drops those
   * before passing the rest on, since {@link #body()} is already de-chunked.
   */
  public List<HeaderField> headers() {
    return head.headers();
  }

  /** The first value of the field named {@code name} (case-insensitive), if any. */
  public Optional<String> header(String name) {
    for (HeaderField field : head.headers()) {
      if (field.is(name)) {
        return Optional.of(field.value());
      }
    }
    return Optional.empty();
  }

  /**
   * The body, de-chunked and bounded by the framing; empty for HEAD, 1xx, 204 and 304. A connection
   * that ends before the body does makes a read fail with an {@link IOException}. Closing the
   * stream closes the exchange.
   */
  public InputStream body() {
    return stream;
  }

  /** Returns the connection to the pool if the body was fully read and keep-alive is allowed. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (head.keepAlive() && body.complete() && !connection.input().hasBuffered()) {
      pool.release(connection);
    } else {
      connection.close();
    }
  }

  private final class BodyStream extends InputStream {
    @Override
    public int read() throws IOException {
      checkOpen();
      return body.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      checkOpen();
      try {
        return body.read(b, off, len);
      } catch (IOException e) {
        connection.close();
        throw e;
      }
    }

    @Override
    public void close() {
      UpstreamExchange.this.close();
    }

    private void checkOpen() throws IOException {
      if (closed) {
        throw new IOException("upstream exchange closed");
      }
    }
  }
}
