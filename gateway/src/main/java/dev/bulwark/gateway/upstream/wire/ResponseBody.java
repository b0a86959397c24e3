package dev.bulwark.gateway.upstream.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body as the framing delimits it: it ends where the message ends, never reads into the
 * next response, and a connection that ends too early is an error, not a short body.
 */
abstract class ResponseBody extends InputStream {
  private static final int MAX_CHUNK_LINE = 4096;

  /** Whether the whole body has been read, so the connection is positioned at the next message. */
  abstract boolean complete();

  static ResponseBody empty() {
    return new Fixed(null, 0);
  }

  static ResponseBody fixed(WireInput in, long length) {
    return new Fixed(in, length);
  }

  static ResponseBody chunked(WireInput in) {
    return new Chunked(in);
  }

  static ResponseBody untilClose(WireInput in) {
    return new UntilClose(in);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /** Content-Length delimited (RFC 9112 §6.2). */
  private static final class Fixed extends ResponseBody {
    private final WireInput in;
    private final long length;
    private long remaining;

    Fixed(WireInput in, long length) {
      this.in = in;
      this.length = length;
      this.remaining = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException(
            "upstream closed the connection after "
                + (length - remaining)
                + " of "
                + length
                + " body bytes");
      }
      remaining -= n;
      return n;
    }

    @Override
    public int available() {
      return 0;
    }

    @Override
    boolean complete() {
      return remaining == 0;
    }
  }

  /** Chunked transfer coding, decoded (RFC 9112 §7.1); trailer fields are read and dropped. */
  private static final class Chunked extends ResponseBody {
    private final WireInput in;
    private long chunkRemaining;
    private boolean done;

    Chunked(WireInput in) {
      this.in = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (chunkRemaining == 0) {
        chunkRemaining = chunkSize();
        if (chunkRemaining == 0) {
          skipTrailers();
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
      if (n < 0) {
        throw new EOFException("upstream closed the connection within a chunk");
      }
      chunkRemaining -= n;
      if (chunkRemaining == 0) {
        String end = in.readLine(2, "chunk data end");
        if (end == null || !end.isEmpty()) {
          throw new MalformedResponseException("chunk data not followed by CRLF");
        }
      }
      return n;
    }

    /** chunk-size [ chunk-ext ] CRLF; the size in hex, at most 15 digits so it cannot overflow. */
    private long chunkSize() throws IOException {
      String line = in.readLine(MAX_CHUNK_LINE, "chunk size line");
      if (line == null) {
        throw new EOFException("upstream closed the connection before the last chunk");
      }
      int end = 0;
      while (end < line.length() && Character.digit(line.charAt(end), 16) >= 0) {
        end++;
      }
      if (end == 0 || end > 15) {
        throw new MalformedResponseException(
            "chunk size '" + Rfc9110.printable(line) + "' (expected: 1-15 hex digits)");
      }
      if (end < line.length()) {
        char next = line.charAt(end);
        if (next != ';' && !Rfc9110.isWhitespace(next)) {
          throw new MalformedResponseException("chunk size '" + Rfc9110.printable(line) + "'");
        }
        if (Rfc9110.firstInvalidValueChar(line) >= 0) {
          throw new MalformedResponseException("control character in a chunk extension");
        }
      }
      return Long.parseLong(line, 0, end, 16);
    }

    private void skipTrailers() throws IOException {
      int budget = ResponseHead.MAX_HEAD_BYTES;
      while (true) {
        String line = in.readLine(budget, "trailer section");
        if (line == null) {
          throw new EOFException("upstream closed the connection within the trailer section");
        }
        if (line.isEmpty()) {
          return;
        }
        budget -= line.length() + 2;
        ResponseHead.field(line);
      }
    }

    @Override
    boolean complete() {
      return done;
    }
  }

  /** Delimited by the end of the connection (RFC 9112 §6.3, item 8). */
  private static final class UntilClose extends ResponseBody {
    private final WireInput in;
    private boolean done;

    UntilClose(WireInput in) {
      this.in = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      int n = in.read(b, off, len);
      if (n < 0) {
        done = true;
      }
      return n;
    }

    @Override
    boolean complete() {
      return done;
    }
  }
}
