package dev.bulwark.gateway.upstream.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A buffered reader of one connection's bytes that reads CRLF-terminated lines strictly (RFC 9112
 * §2.2: a bare CR or a bare LF is refused, not guessed at) and counts what it has received.
 */
final class WireInput {
  private static final int BUFFER = 16 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER];
  private int position;
  private int limit;
  private long received;
  private byte[] line = new byte[256];

  WireInput(InputStream in) {
    this.in = in;
  }

  /** Bytes received from the connection so far. */
  long received() {
    return received;
  }

  /** Whether bytes are buffered that nothing has asked for yet. */
  boolean hasBuffered() {
    return position < limit;
  }

  int read() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    return buffer[position++] & 0xff;
  }

  int read(byte[] target, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (position == limit) {
      if (length >= BUFFER) {
        int n = in.read(target, offset, length);
        if (n > 0) {
          received += n;
        }
        return n;
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(buffer, position, target, offset, n);
    position += n;
    return n;
  }

  /**
   * One line without its CRLF, decoded as ISO-8859-1 (so obs-text survives unchanged), or null if
   * the connection ended before its first byte.
   *
   * @param budget the most bytes the line may take, CRLF included
   * @param what what the line is, for the error message
   */
  String readLine(int budget, String what) throws IOException {
    int length = 0;
    while (true) {
      int b = read();
      if (b < 0) {
        if (length == 0) {
          return null;
        }
        throw new EOFException("upstream closed the connection within the " + what);
      }
      if (b == '\n') {
        throw new MalformedResponseException("bare LF in the " + what + " (expected: CRLF)");
      }
      if (b == '\r') {
        if (read() != '\n') {
          throw new MalformedResponseException("bare CR in the " + what + " (expected: CRLF)");
        }
        return new String(line, 0, length, StandardCharsets.ISO_8859_1);
      }
      if (length + 2 >= budget) {
        throw new MalformedResponseException(what + " longer than " + budget + " bytes");
      }
      if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(line.length * 2, Math.max(budget, 256)));
      }
      line[length++] = (byte) b;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, BUFFER);
    if (n < 0) {
      return false;
    }
    position = 0;
    limit = n;
    received += n;
    return true;
  }
}
