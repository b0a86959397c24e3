package dev.bulwark.gateway.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Keep-alive, framing and pooling against a hand-written TLS server on loopback. */
class UpstreamConnectionsTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private final TestTls tls = new TestTls();

  private static String body(UpstreamExchange exchange) throws IOException {
    try (exchange) {
      return new String(exchange.body().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static UpstreamRequest get(String path) {
    return UpstreamRequest.of("GET", path, List.of());
  }

  @Test
  void reusesOneKeepAliveConnectionForSequentialRequests() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      for (int i = 0; i < 5; i++) {
        UpstreamExchange exchange = client.send(get("/items"));
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(body(exchange)).isEqualTo("ok");
      }
      assertThat(server.accepted()).isEqualTo(1);
      assertThat(client.connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void writesRequestLineHostAndHeadersAsGiven() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      body(
          client.send(
              UpstreamRequest.of(
                  "GET",
                  "/a/b?x=1&y=%20",
                  List.of(
                      new HeaderField("X-Request-Id", "r1"), new HeaderField("Accept", "*/*")))));
      assertThat(server.requestHeads())
          .containsExactly(
              "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: "
                  + server.origin().getRawAuthority()
                  + "\r\nX-Request-Id: r1\r\nAccept: */*\r\n\r\n");
    }
  }

  @Test
  void decodesChunkedBodyDroppingExtensionsAndTrailersThenReusesConnection() throws Exception {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n";
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), chunked);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThat(body(client.send(get("/one")))).isEqualTo("hello world");
      assertThat(body(client.send(get("/two")))).isEqualTo("hello world");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void readsBodyUntilCloseWithoutLengthAndDoesNotReuseTheConnection() throws Exception {
    try (RawTlsServer server =
            new RawTlsServer(
                tls.server(),
                (in, out) -> {
                  RawTlsServer.readHead(in);
                  out.write(
                      "HTTP/1.1 200 OK\r\n\r\nuntil close".getBytes(StandardCharsets.US_ASCII));
                });
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThat(body(client.send(get("/a")))).isEqualTo("until close");
      assertThat(body(client.send(get("/b")))).isEqualTo("until close");
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void headAnd204And304HaveNoBodyWhateverTheirContentLength() throws Exception {
    String[] answers = {
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
      "HTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
      OK
    };
    try (RawTlsServer server =
            new RawTlsServer(
                tls.server(),
                (in, out) -> {
                  for (String answer : answers) {
                    RawTlsServer.readHead(in);
                    out.write(answer.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                  }
                });
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      UpstreamExchange head = client.send(UpstreamRequest.of("HEAD", "/h", List.of()));
      assertThat(head.header("content-length")).contains("100");
      assertThat(body(head)).isEmpty();
      UpstreamExchange noContent = client.send(get("/204"));
      assertThat(noContent.status()).isEqualTo(204);
      assertThat(body(noContent)).isEmpty();
      UpstreamExchange notModified = client.send(get("/304"));
      assertThat(notModified.status()).isEqualTo(304);
      assertThat(body(notModified)).isEmpty();
      assertThat(body(client.send(get("/after")))).isEqualTo("ok");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void skipsInterimResponses() throws Exception {
    String answer =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + OK;
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), answer);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      UpstreamExchange exchange = client.send(get("/"));
      assertThat(exchange.status()).isEqualTo(200);
      assertThat(exchange.header("Link")).isEmpty();
      assertThat(body(exchange)).isEqualTo("ok");
    }
  }

  @Test
  void sendsIdempotentRequestAgainOnFreshConnectionWhenUpstreamClosedPooledOne() throws Exception {
    try (RawTlsServer server =
            new RawTlsServer(
                tls.server(),
                (in, out) -> {
                  // Answers one request, then closes the connection while the client pools it.
                  RawTlsServer.readHead(in);
                  out.write(OK.getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                });
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThat(body(client.send(get("/1")))).isEqualTo("ok");
      assertThat(client.idleConnections()).isEqualTo(1);
      assertThat(body(client.send(get("/2")))).isEqualTo("ok");
      assertThat(
              body(
                  client.send(
                      new UpstreamRequest("PUT", "/3", List.of(), RequestBody.of(new byte[] {1})))))
          .isEqualTo("ok");
      assertThat(server.accepted()).isEqualTo(3);
    }
  }

  @Test
  void doesNotSendPostAgainWhenPooledConnectionFails() throws Exception {
    try (RawTlsServer server =
            new RawTlsServer(
                tls.server(),
                (in, out) -> {
                  RawTlsServer.readHead(in);
                  out.write(OK.getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                });
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThat(body(client.send(get("/1")))).isEqualTo("ok");
      UpstreamRequest post =
          new UpstreamRequest("POST", "/pay", List.of(), RequestBody.of(new byte[] {1}));
      assertThatThrownBy(() -> client.send(post)).isInstanceOf(IOException.class);
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void closesIdleConnectionsOlderThanTheIdleTimeout() throws Exception {
    AtomicLong now = new AtomicLong();
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK);
        UpstreamConnections client = tls.connections(server.origin(), 8, now::get)) {
      body(client.send(get("/1")));
      now.addAndGet(Duration.ofSeconds(29).toNanos());
      body(client.send(get("/2")));
      assertThat(server.accepted()).isEqualTo(1);
      now.addAndGet(Duration.ofSeconds(31).toNanos());
      body(client.send(get("/3")));
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void keepsAtMostMaxIdleConnections() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK);
        UpstreamConnections client = tls.connections(server.origin(), 2)) {
      List<UpstreamExchange> open =
          List.of(client.send(get("/1")), client.send(get("/2")), client.send(get("/3")));
      for (UpstreamExchange exchange : open) {
        body(exchange);
      }
      assertThat(server.accepted()).isEqualTo(3);
      assertThat(client.idleConnections()).isEqualTo(2);
    }
  }

  @Test
  void closesConnectionWhoseBodyWasNotReadToTheEnd() throws Exception {
    String big = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), big);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      try (UpstreamExchange exchange = client.send(get("/1"))) {
        assertThat(exchange.body().read()).isEqualTo('0');
      }
      assertThat(client.idleConnections()).isZero();
      assertThat(body(client.send(get("/2")))).isEqualTo("0123456789");
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void honoursConnectionClose() throws Exception {
    String closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), closing);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      body(client.send(get("/1")));
      assertThat(client.idleConnections()).isZero();
    }
  }

  @Test
  void verifiesTheCertificateAgainstAHostName() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK);
        UpstreamConnections client =
            tls.connections(URI.create("https://localhost:" + server.origin().getPort()), 8)) {
      assertThat(body(client.send(get("/")))).isEqualTo("ok");
      assertThat(server.requestHeads().getFirst()).contains("Host: localhost:");
    }
  }

  @Test
  void refusesUpstreamWhoseCertificateNamesAnotherHost() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.impostor(), OK);
        UpstreamConnections client = tls.connections(server.origin(), 8)) {
      assertThatThrownBy(() -> client.send(get("/"))).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void refusesRequestsThatWouldSetFramingOrCarryInjectedLines() {
    assertThatThrownBy(
            () -> UpstreamRequest.of("GET", "/", List.of(new HeaderField("Content-Length", "5"))))
        .hasMessageContaining("Content-Length");
    assertThatThrownBy(
            () ->
                UpstreamRequest.of(
                    "GET", "/", List.of(new HeaderField("Transfer-Encoding", "chunked"))))
        .hasMessageContaining("Transfer-Encoding");
    assertThatThrownBy(() -> new HeaderField("X-A", "a\r\nX-Injected: b"))
        .hasMessageContaining("0xd")
        .hasMessageNotContaining("Injected");
    assertThatThrownBy(() -> new HeaderField("X A", "b")).hasMessageContaining("token");
    assertThatThrownBy(() -> UpstreamRequest.of("GET", "/a b", List.of()))
        .hasMessageContaining("pathAndQuery");
    assertThatThrownBy(() -> UpstreamRequest.of("GET", "http://evil/", List.of()))
        .hasMessageContaining("origin-form");
  }
}
