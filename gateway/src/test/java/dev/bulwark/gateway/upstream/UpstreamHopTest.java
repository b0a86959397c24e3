package dev.bulwark.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.testing.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream hop on the wire: what it sends, which answers it relays, which it refuses (nothing
 * of an answer that could be read two ways reaches the client), and when it reuses a connection.
 * The upstream is a TLS server answering with bytes written by hand.
 */
class UpstreamHopTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private final TestUpstreams fixture = new TestUpstreams();
  private final TestTls tls = new TestTls();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @AfterEach
  void stop() {
    fixture.close();
  }

  private UpstreamCluster serve(URI target) {
    return fixture.serve(
        new UpstreamCluster(
            "test", TestUpstreams.policy(target), tls.client(), Optional.empty(), clock));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(fixture.front.url().resolve(path)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void assertRefused(String response) throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), response)) {
      serve(server.origin());

      HttpResponse<String> refused = get("/");

      assertThat(refused.statusCode()).isEqualTo(502);
      assertThat(refused.body()).contains("upstream_unavailable");
      // The connection that carried it is never used again.
      get("/");
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void refusesAnAnswerWithBothContentLengthAndTransferEncoding() throws Exception {
    assertRefused(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  }

  @Test
  void refusesTwoDifferingContentLengths() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!");
  }

  @Test
  void refusesANonNumericContentLength() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello");
  }

  @Test
  void refusesACarriageReturnInjectedIntoAHeaderValue() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\rX-B: b\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void refusesBareLineFeeds() throws Exception {
    assertRefused("HTTP/1.1 200 OK\nContent-Length: 0\n\n");
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void refusesANulInAHeaderValue() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void refusesAnOversizedHeaderSection() throws Exception {
    assertRefused(
        "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(40_000) + "\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void refusesATransferCodingOtherThanChunked() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc");
  }

  @Test
  void refusesAMalformedStatusLine() throws Exception {
    assertRefused("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n");
  }

  @Test
  void refusesSwitchingProtocolsItDidNotAskFor() throws Exception {
    assertRefused("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
  }

  @Test
  void refusesAMalformedChunkSize() throws Exception {
    assertRefused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
  }

  @Test
  void cutsTheClientOffWhenTheUpstreamClosesBeforeItsContentLength() throws Exception {
    try (RawTlsServer server =
        new RawTlsServer(
            tls.server(),
            (in, out) -> {
              RawTlsServer.readHead(in);
              out.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.write(new byte[40_000]);
              out.flush();
            })) {
      serve(server.origin());

      // The client never takes a truncated answer for a whole one.
      assertThatThrownBy(() -> get("/")).isInstanceOf(IOException.class);
    }
  }

  @Test
  void writesTheRequestLineHostAndForwardingFields() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK)) {
      serve(server.origin());

      assertThat(
              send(HttpRequest.newBuilder(fixture.front.url().resolve("/items?page=2"))
                      .header("X-Forwarded-For", "6.6.6.6")
                      .header("X-Custom", "kept")
                      .GET())
                  .body())
          .isEqualTo("ok");

      String head = server.requestHeads().getFirst();
      assertThat(head).startsWith("GET /items?page=2 HTTP/1.1\r\n");
      assertThat(head).containsIgnoringCase("host: " + server.origin().getRawAuthority() + "\r\n");
      assertThat(head).containsIgnoringCase("x-forwarded-for: 127.0.0.1\r\n");
      assertThat(head).doesNotContain("6.6.6.6");
      assertThat(head).containsIgnoringCase("x-custom: kept\r\n");
      assertThat(head).containsIgnoringCase("x-route: test\r\n");
      assertThat(head).containsIgnoringCase("x-forwarded-proto: https\r\n");
    }
  }

  @Test
  void reusesOneConnectionForSequentialRequests() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK)) {
      UpstreamCluster cluster = serve(server.origin());

      for (int i = 0; i < 3; i++) {
        assertThat(get("/" + i).body()).isEqualTo("ok");
      }

      assertThat(server.accepted()).isEqualTo(1);
      assertThat(cluster.connectionsOpened(server.origin())).isEqualTo(1);
    }
  }

  @Test
  void relaysAChunkedAnswerDroppingExtensionsAndTrailersThenReusesTheConnection() throws Exception {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n";
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), chunked)) {
      serve(server.origin());

      HttpResponse<String> first = get("/1");
      HttpResponse<String> second = get("/2");

      assertThat(first.body()).isEqualTo("abcde");
      assertThat(first.headers().firstValue("X-Trailer")).isEmpty();
      assertThat(second.body()).isEqualTo("abcde");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void relaysAnAnswerReadUntilCloseAndDoesNotReuseItsConnection() throws Exception {
    try (RawTlsServer server =
        new RawTlsServer(
            tls.server(),
            (in, out) -> {
              RawTlsServer.readHead(in);
              out.write("HTTP/1.1 200 OK\r\n\r\nuntil close".getBytes(StandardCharsets.US_ASCII));
            })) {
      serve(server.origin());

      assertThat(get("/1").body()).isEqualTo("until close");
      assertThat(get("/2").body()).isEqualTo("until close");
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void anAnswerToHeadAnd204And304HaveNoBodyWhateverTheirContentLength() throws Exception {
    try (RawTlsServer server =
        new RawTlsServer(
            tls.server(),
            (in, out) -> {
              String head;
              while ((head = RawTlsServer.readHead(in)) != null) {
                String answer =
                    head.startsWith("HEAD")
                        ? "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
                        : head.contains("/none")
                            ? "HTTP/1.1 204 No Content\r\n\r\n"
                            : head.contains("/same")
                                ? "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"
                                : OK;
                out.write(answer.getBytes(StandardCharsets.US_ASCII));
                out.flush();
              }
            })) {
      serve(server.origin());

      HttpResponse<String> head =
          send(
              HttpRequest.newBuilder(fixture.front.url().resolve("/h"))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      HttpResponse<String> none = get("/none");
      HttpResponse<String> same = get("/same");
      HttpResponse<String> after = get("/after");

      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Length")).hasValue("10");
      assertThat(head.body()).isEmpty();
      assertThat(none.statusCode()).isEqualTo(204);
      assertThat(none.body()).isEmpty();
      assertThat(same.statusCode()).isEqualTo(304);
      assertThat(same.body()).isEmpty();
      assertThat(after.body()).isEqualTo("ok");
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void skipsInterimAnswers() throws Exception {
    String answer =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + OK;
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), answer)) {
      serve(server.origin());

      HttpResponse<String> response = get("/");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Link")).isEmpty();
      assertThat(response.body()).isEqualTo("ok");
    }
  }

  // Answers a connection's first request, then reads the next one and closes without answering:
  // the gateway finds its pooled connection dead only once it has sent on it.
  private RawTlsServer answeringOnceThenClosing() throws IOException {
    return new RawTlsServer(
        tls.server(),
        (in, out) -> {
          RawTlsServer.readHead(in);
          out.write(OK.getBytes(StandardCharsets.US_ASCII));
          out.flush();
          RawTlsServer.readHead(in);
        });
  }

  @Test
  void sendsAnIdempotentRequestAgainOnAFreshConnectionWhenThePooledOneWasClosed() throws Exception {
    try (RawTlsServer server = answeringOnceThenClosing()) {
      serve(server.origin());

      assertThat(get("/1").body()).isEqualTo("ok");
      assertThat(get("/2").body()).isEqualTo("ok");
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void neverSendsAPostAgainWhenThePooledConnectionFails() throws Exception {
    try (RawTlsServer server = answeringOnceThenClosing()) {
      serve(server.origin());

      assertThat(get("/1").body()).isEqualTo("ok");
      HttpResponse<String> post =
          send(
              HttpRequest.newBuilder(fixture.front.url().resolve("/pay"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}")));

      assertThat(post.statusCode()).isEqualTo(502);
      assertThat(server.accepted()).isEqualTo(1);
    }
  }

  @Test
  void honoursConnectionClose() throws Exception {
    String closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), closing)) {
      serve(server.origin());

      get("/1");
      HttpResponse<String> second = get("/2");

      assertThat(second.body()).isEqualTo("ok");
      assertThat(second.headers().firstValue("Connection")).isEmpty();
      assertThat(server.accepted()).isEqualTo(2);
    }
  }

  @Test
  void verifiesTheCertificateAgainstTheTargetsHostName() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.server(), OK)) {
      serve(URI.create("https://localhost:" + server.origin().getPort()));

      assertThat(get("/").body()).isEqualTo("ok");
    }
  }

  @Test
  void refusesAnUpstreamWhoseCertificateNamesAnotherHost() throws Exception {
    try (RawTlsServer server = RawTlsServer.answering(tls.impostor(), OK)) {
      serve(server.origin());

      HttpResponse<String> refused = get("/");

      assertThat(refused.statusCode()).isEqualTo(502);
      assertThat(server.requestHeads()).isEmpty();
    }
  }
}
