package dev.bulwark.gateway.upstream.wire;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed status line and header section, and the framing of the body that follows (RFC 9112
 * §6.3), read strictly: anything ambiguous is a {@link MalformedResponseException}.
 *
 * @param status the status code
 * @param headers the header fields in order, names as received
 * @param framing how the body is delimited
 * @param keepAlive whether the connection may carry another request after this response
 */
record ResponseHead(int status, List<HeaderField> headers, Framing framing, boolean keepAlive) {

  /** The most bytes a status line and header section may take together. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /** Interim (1xx) responses accepted before the final one. */
  private static final int MAX_INTERIM = 16;

  /** How the body is delimited. */
  enum Framing {
    NONE,
    LENGTH,
    CHUNKED,
    UNTIL_CLOSE
  }

  ResponseHead {
    headers = List.copyOf(headers);
  }

  /**
   * Reads the final response head, skipping interim responses (RFC 9110 §15.2), or returns null if
   * the connection ended before the first byte of a response.
   */
  static Parsed read(WireInput in, boolean headRequest) throws IOException {
    for (int interim = 0; ; interim++) {
      Parsed parsed = readOne(in, headRequest);
      if (parsed == null) {
        if (interim == 0) {
          return null;
        }
        throw new MalformedResponseException("connection ended after an interim response");
      }
      int status = parsed.head().status();
      if (status >= 200) {
        return parsed;
      }
      if (status == 101) {
        throw new MalformedResponseException("101 Switching Protocols without an Upgrade request");
      }
      if (interim >= MAX_INTERIM) {
        throw new MalformedResponseException("more than " + MAX_INTERIM + " interim responses");
      }
    }
  }

  /**
   * A head and, when its framing is LENGTH, the content length.
   *
   * @param head the head
   * @param contentLength the content length, or -1
   */
  record Parsed(ResponseHead head, long contentLength) {}

  private static Parsed readOne(WireInput in, boolean headRequest) throws IOException {
    int budget = MAX_HEAD_BYTES;
    String statusLine = in.readLine(budget, "status line");
    if (statusLine == null) {
      return null;
    }
    budget -= statusLine.length() + 2;
    // status-line = HTTP-version SP status-code SP [ reason-phrase ]   (RFC 9112 §4)
    if (statusLine.length() < 12
        || !statusLine.startsWith("HTTP/1.")
        || (statusLine.charAt(7) != '1' && statusLine.charAt(7) != '0')
        || statusLine.charAt(8) != ' '
        || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
      throw new MalformedResponseException(
          "status line '" + Rfc9110.printable(statusLine) + "' (expected: HTTP/1.1 NNN reason)");
    }
    boolean http11 = statusLine.charAt(7) == '1';
    int status = 0;
    for (int i = 9; i < 12; i++) {
      char c = statusLine.charAt(i);
      if (c < '0' || c > '9') {
        throw new MalformedResponseException(
            "status code '" + Rfc9110.printable(statusLine.substring(9, 12)) + "'");
      }
      status = status * 10 + (c - '0');
    }
    if (status < 100 || status > 599) {
      throw new MalformedResponseException("status code " + status + " (expected: 100-599)");
    }
    if (statusLine.length() > 13 && Rfc9110.firstInvalidValueChar(statusLine.substring(13)) >= 0) {
      throw new MalformedResponseException("control character in the reason phrase");
    }

    List<HeaderField> headers = new ArrayList<>();
    List<String> contentLengths = new ArrayList<>(1);
    List<String> transferCodings = new ArrayList<>(1);
    boolean close = !http11;
    while (true) {
      String line = in.readLine(budget, "header section");
      if (line == null) {
        throw new MalformedResponseException("connection ended within the header section");
      }
      budget -= line.length() + 2;
      if (line.isEmpty()) {
        break;
      }
      HeaderField field = field(line);
      headers.add(field);
      String name = field.name();
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLengths.add(field.value());
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        transferCodings.add(field.value());
      } else if (name.equalsIgnoreCase("Connection") && hasToken(field.value(), "close")) {
        close = true;
      }
    }
    if (status < 200) {
      return new Parsed(new ResponseHead(status, headers, Framing.NONE, !close), -1);
    }

    // RFC 9112 §6.3: both, or several different lengths, could be read two ways by two parsers.
    if (!contentLengths.isEmpty() && !transferCodings.isEmpty()) {
      throw new MalformedResponseException("both Content-Length and Transfer-Encoding");
    }
    long length = contentLengths.isEmpty() ? -1 : contentLength(contentLengths);
    Framing framing;
    if (headRequest || status == 204 || status == 304) {
      framing = Framing.NONE;
    } else if (!transferCodings.isEmpty()) {
      if (!http11) {
        throw new MalformedResponseException("Transfer-Encoding in an HTTP/1.0 response");
      }
      requireChunkedAlone(transferCodings);
      framing = Framing.CHUNKED;
    } else if (length >= 0) {
      framing = length == 0 ? Framing.NONE : Framing.LENGTH;
    } else {
      framing = Framing.UNTIL_CLOSE;
      close = true;
    }
    return new Parsed(new ResponseHead(status, headers, framing, !close), length);
  }

  /** field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). */
  static HeaderField field(String line) throws MalformedResponseException {
    if (Rfc9110.isWhitespace(line.charAt(0))) {
      // obs-fold, or whitespace before the first field (RFC 9112 §2.2, §5.2): refused.
      throw new MalformedResponseException("line folding or leading whitespace in a header field");
    }
    int colon = line.indexOf(':');
    if (colon <= 0 || !Rfc9110.isToken(line.substring(0, colon))) {
      throw new MalformedResponseException(
          "header field name '"
              + Rfc9110.printable(colon <= 0 ? line : line.substring(0, colon))
              + "' (expected: a token followed by ':', RFC 9112 §5.1)");
    }
    int start = colon + 1;
    int end = line.length();
    while (start < end && Rfc9110.isWhitespace(line.charAt(start))) {
      start++;
    }
    while (end > start && Rfc9110.isWhitespace(line.charAt(end - 1))) {
      end--;
    }
    String name = line.substring(0, colon);
    String value = line.substring(start, end);
    if (Rfc9110.firstInvalidValueChar(value) >= 0) {
      throw new MalformedResponseException(
          "control character in the value of " + name + " (RFC 9110 §5.5)");
    }
    return new HeaderField(name, value);
  }

  private static long contentLength(List<String> fields) throws MalformedResponseException {
    long length = -1;
    for (String field : fields) {
      for (String part : field.split(",", -1)) {
        long value = digits(part.strip());
        if (length >= 0 && value != length) {
          throw new MalformedResponseException("differing Content-Length values");
        }
        length = value;
      }
    }
    return length;
  }

  private static long digits(String s) throws MalformedResponseException {
    if (s.isEmpty() || s.length() > 18) {
      throw new MalformedResponseException("Content-Length '" + Rfc9110.printable(s) + "'");
    }
    long value = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new MalformedResponseException("Content-Length '" + Rfc9110.printable(s) + "'");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /**
   * Only "chunked" alone is accepted: another coding would reach the client undeclared once the
   * chunks are removed, and a final coding other than chunked means "read until close" (RFC 9112
   * §6.3), which a proxy should not guess about.
   */
  private static void requireChunkedAlone(List<String> fields) throws MalformedResponseException {
    int codings = 0;
    for (String field : fields) {
      for (String part : field.split(",", -1)) {
        String coding = part.strip().toLowerCase(Locale.ROOT);
        codings++;
        if (!coding.equals("chunked") || codings > 1) {
          throw new MalformedResponseException(
              "Transfer-Encoding other than a single 'chunked' (RFC 9112 §6.1)");
        }
      }
    }
  }

  private static boolean hasToken(String value, String token) {
    for (String part : value.split(",", -1)) {
      if (part.strip().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }
}
