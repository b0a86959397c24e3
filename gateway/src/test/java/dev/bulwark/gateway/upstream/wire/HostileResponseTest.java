package dev.bulwark.gateway.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses that could be read two ways, or not at all, are refused and never passed on. */
class HostileResponseTest {
  private final TestTls tls = new TestTls();

  private void assertRefused(String response, String reason) throws IOException {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), response);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThatThrownBy(() -> client.send(UpstreamRequest.of("GET", "/", List.of())))
          .isInstanceOf(MalformedResponseException.class)
          .hasMessageContaining(reason);
      assertThat(client.idleConnections()).isZero();
    }
  }

  @Test
  void refusesBothContentLengthAndTransferEncoding() throws IOException {
    assertRefused(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "both Content-Length and Transfer-Encoding");
  }

  @Test
  void refusesTwoDifferingContentLengths() throws IOException {
    assertRefused(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "differing Content-Length");
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!", "differing");
  }

  @Test
  void refusesNonNumericContentLength() throws IOException {
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", "Content-Length '+5'");
  }

  @Test
  void refusesCarriageReturnInjectedIntoHeaderValue() throws IOException {
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\rX-B: b\r\nContent-Length: 0\r\n\r\n", "bare CR");
  }

  @Test
  void refusesBareLineFeed() throws IOException {
    assertRefused("HTTP/1.1 200 OK\nContent-Length: 0\n\n", "bare LF");
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\nContent-Length: 0\r\n\r\n", "bare LF");
  }

  @Test
  void refusesNulInHeaderValue() throws IOException {
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n", "control character");
  }

  @Test
  void refusesHeaderNameWithSpace() throws IOException {
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", "header field name");
    assertRefused("HTTP/1.1 200 OK\r\nX Bad: 1\r\nContent-Length: 0\r\n\r\n", "header field name");
  }

  @Test
  void refusesObsoleteLineFolding() throws IOException {
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n", "folding");
  }

  @Test
  void refusesOversizedHeaderSection() throws IOException {
    String big = "X-Big: " + "a".repeat(70 * 1024) + "\r\n";
    assertRefused("HTTP/1.1 200 OK\r\n" + big + "Content-Length: 0\r\n\r\n", "longer than");
    String many = "X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(2000);
    assertRefused("HTTP/1.1 200 OK\r\n" + many + "Content-Length: 0\r\n\r\n", "longer than");
  }

  @Test
  void refusesTransferCodingsOtherThanChunked() throws IOException {
    assertRefused(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "chunked");
    assertRefused("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nabc", "chunked");
  }

  @Test
  void refusesMalformedStatusLine() throws IOException {
    assertRefused("HTTP/2 200 OK\r\n\r\n", "status line");
    assertRefused("HTTP/1.1 20 OK\r\n\r\n", "status line");
    assertRefused("HTTP/1.1 099 Low\r\n\r\n", "status code 99");
    assertRefused("ICY 200 OK\r\n\r\n", "status line");
  }

  @Test
  void refusesUnrequestedSwitchingProtocols() throws IOException {
    assertRefused("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "101");
  }

  @Test
  void refusesMalformedChunkSize() throws IOException {
    try (RawTlsServer server =
            RawTlsServer.answering(
                tls.server(),
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      try (UpstreamExchange exchange = client.send(UpstreamRequest.of("GET", "/", List.of()))) {
        assertThatThrownBy(() -> exchange.body().readAllBytes())
            .isInstanceOf(MalformedResponseException.class)
            .hasMessageContaining("chunk size");
      }
      assertThat(client.idleConnections()).isZero();
    }
  }

  @Test
  void failsReadWhenUpstreamClosesBeforeContentLengthIsReached() throws IOException {
    try (RawTlsServer server =
            new RawTlsServer(
                tls.server(),
                (in, out) -> {
                  RawTlsServer.readHead(in);
                  out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".getBytes());
                });
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      try (UpstreamExchange exchange = client.send(UpstreamRequest.of("GET", "/", List.of()))) {
        assertThatThrownBy(() -> exchange.body().readAllBytes())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("5 of 100");
      }
      assertThat(client.idleConnections()).isZero();
    }
  }
}
