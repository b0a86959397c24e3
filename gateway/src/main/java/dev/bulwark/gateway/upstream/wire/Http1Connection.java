package dev.bulwark.gateway.upstream.wire;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;

/** One keep-alive TLS connection to the origin, used by one exchange at a time. */
final class Http1Connection implements Closeable {
  /** Content up to this size goes out in the same write as the request head. */
  private static final int INLINE_BODY = 16 * 1024;

  private static final int CHUNK = 16 * 1024;
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final SSLSocket socket;
  private final WireInput input;
  private final OutputStream output;
  private final Head head = new Head();
  private long idleSinceNanos;
  private boolean closed;

  Http1Connection(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.input = new WireInput(socket.getInputStream());
    this.output = socket.getOutputStream();
  }

  WireInput input() {
    return input;
  }

  long idleSinceNanos() {
    return idleSinceNanos;
  }

  void idleSince(long nanos) {
    idleSinceNanos = nanos;
  }

  /**
   * Writes the request: line, headers and small content in one write (one TLS record, one syscall),
   * larger content streamed after it.
   */
  void write(UpstreamRequest request, String authority) throws IOException {
    head.reset();
    head.ascii(request.method()).ascii(" ").ascii(request.pathAndQuery());
    head.ascii(" HTTP/1.1\r\nHost: ").ascii(authority).crlf();
    for (HeaderField field : request.headers()) {
      head.ascii(field.name()).ascii(": ").latin1(field.value()).crlf();
    }
    switch (request.body()) {
      case RequestBody.None none -> {
        if (expectsContent(request.method())) {
          // RFC 9110 §8.6: say "no content" explicitly where the method defines content.
          head.ascii("Content-Length: 0\r\n");
        }
        head.crlf();
        head.writeTo(output);
      }
      case RequestBody.Bytes bytes -> {
        byte[] content = bytes.bytes();
        head.ascii("Content-Length: ").ascii(Integer.toString(content.length)).crlf().crlf();
        if (content.length <= INLINE_BODY) {
          head.write(content, 0, content.length);
          head.writeTo(output);
        } else {
          head.writeTo(output);
          output.write(content);
        }
      }
      case RequestBody.Sized sized -> {
        head.ascii("Content-Length: ").ascii(Long.toString(sized.length())).crlf().crlf();
        head.writeTo(output);
        copyExactly(sized.stream(), sized.length());
      }
      case RequestBody.Chunked chunked -> {
        head.ascii("Transfer-Encoding: chunked\r\n\r\n");
        head.writeTo(output);
        copyChunked(chunked.stream());
      }
    }
    output.flush();
  }

  private static boolean expectsContent(String method) {
    return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
  }

  private void copyExactly(InputStream in, long length) throws IOException {
    byte[] buffer = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException(
            "request body ended after " + (length - left) + " of " + length + " bytes");
      }
      output.write(buffer, 0, n);
      left -= n;
    }
  }

  /** Each chunk — size line, data, CRLF — leaves in one write (RFC 9112 §7.1). */
  private void copyChunked(InputStream in) throws IOException {
    int prefix = 8; // room for up to 6 hex digits and CRLF before the data
    byte[] buffer = new byte[prefix + CHUNK + 2];
    while (true) {
      int n = in.read(buffer, prefix, CHUNK);
      if (n < 0) {
        break;
      }
      if (n == 0) {
        continue;
      }
      byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      int start = prefix - size.length;
      System.arraycopy(size, 0, buffer, start, size.length);
      System.arraycopy(CRLF, 0, buffer, prefix + n, 2);
      output.write(buffer, start, size.length + n + 2);
    }
    output.write(LAST_CHUNK);
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // Closing is best effort: the socket is discarded either way.
    }
  }

  /** A reusable buffer for the request head, written to the socket in one call. */
  private static final class Head extends ByteArrayOutputStream {
    Head() {
      super(1024);
    }

    Head ascii(String s) {
      return latin1(s);
    }

    /** Field values are checked to hold only characters up to 0xFF, sent as single bytes. */
    Head latin1(String s) {
      int n = s.length();
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[count++] = (byte) s.charAt(i);
      }
      return this;
    }

    Head crlf() {
      ensure(2);
      buf[count++] = '\r';
      buf[count++] = '\n';
      return this;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }
  }
}
