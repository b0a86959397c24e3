package dev.bulwark.gateway.edge;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.TestEndpoints;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EdgeListenerTest {
  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Edge test CA", Duration.ofDays(1), Clock.systemUTC());
  private final Metrics metrics = Metrics.create();
  private final SSLContext clientTls =
      TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private EdgeListener listener;

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
    metrics.close();
  }

  private void start(long maxPayload, EdgeHandler handler) throws Exception {
    start(maxPayload, EdgeTimeouts.DEFAULTS, handler);
  }

  private void start(long maxPayload, EdgeTimeouts timeouts, EdgeHandler handler) throws Exception {
    listener =
        EdgeListener.start(
            TestEndpoints.listener(authority, metrics, "edge")
                .maxPayloadSize(maxPayload)
                .maxPrologueLength(1024)
                .maxHeadersSize(4096)
                .settings(),
            timeouts,
            handler);
  }

  // Echoes the method, path and body it read.
  private void startEcho() throws Exception {
    start(
        1024,
        (req, res) -> {
          try (InputStream in = req.body()) {
            String body = new String(in.readAllBytes(), UTF_8);
            seen.add(req.method() + " " + req.rawPath() + " " + body);
            res.set("Content-Type", "text/plain");
            res.send((req.method() + " " + req.rawPath() + " " + body).getBytes(UTF_8));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private String exchange(String request) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) clientTls.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(3_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(ISO_8859_1));
      out.flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | javax.net.ssl.SSLException e) {
        // What came before the timeout or reset is the answer.
      }
      return answer.toString(ISO_8859_1);
    }
  }

  // Answers with whether it ran on a virtual thread; requests to /loop say they do not block.
  private void startThreadReporter(boolean failToTell) throws Exception {
    start(
        1024,
        new EdgeHandler() {
          @Override
          public void handle(EdgeRequest req, EdgeResponse res) {
            res.send(("virtual=" + Thread.currentThread().isVirtual()).getBytes(UTF_8));
          }

          @Override
          public boolean nonBlocking(EdgeRequest req) {
            if (failToTell) {
              throw new IllegalStateException("cannot tell");
            }
            return req.rawPath().equals("/loop");
          }
        });
  }

  @Test
  void runsANonBlockingRequestOnItsEventLoopAndAnyOtherOnAVirtualThread() throws Exception {
    startThreadReporter(false);

    String answers =
        exchange(
            "GET /loop HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /other HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /loop HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

    assertThat(answers.split("virtual=false", -1)).hasSize(3);
    assertThat(answers.split("virtual=true", -1)).hasSize(2);
    assertThat(answers.indexOf("virtual=false")).isLessThan(answers.indexOf("virtual=true"));
  }

  @Test
  void givesARequestAThreadWhenTheHandlerCannotTellWhetherItBlocks() throws Exception {
    startThreadReporter(true);

    String answer = exchange("GET /loop HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("virtual=true");
  }

  @Test
  void answersPipelinedRequestsInOrderOnOneConnection() throws Exception {
    startEcho();

    String answers =
        exchange(
            "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

    assertThat(answers.split("HTTP/1.1 200 OK")).hasSize(4);
    assertThat(answers.indexOf("GET /one")).isLessThan(answers.indexOf("POST /two abc"));
    assertThat(answers.indexOf("POST /two abc")).isLessThan(answers.indexOf("GET /three"));
    assertThat(seen).containsExactly("GET /one ", "POST /two abc", "GET /three ");
  }

  @Test
  void streamsAChunkedBodyToTheHandler() throws Exception {
    startEcho();

    String answer =
        exchange(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 200").endsWith("POST /c abcde");
  }

  @Test
  void refusesABodyPastThePayloadLimitAndClosesTheConnection() throws Exception {
    startEcho();
    String body = "x".repeat(2000);

    String answer =
        exchange(
            "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n"
                + body
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");
    assertThat(answer).doesNotContain("HTTP/1.1 200");
    assertThat(seen).isEmpty();
  }

  @Test
  void closesAConnectionWhoseBodyWasLeftUnreadSoItIsNeverParsedAsARequest() throws Exception {
    start(
        1 << 20,
        (req, res) -> {
          seen.add(req.rawPath());
          res.status(401);
          res.send(new byte[0]);
        });

    String answer =
        exchange(
            "POST /refused HTTP/1.1\r\nHost: a\r\nContent-Length: 39\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
    assertThat(seen).containsExactly("/refused");
  }

  @Test
  void sendsContinueWhenTheHandlerReadsTheBodyAndNotWhenItRefuses() throws Exception {
    start(
        1024,
        (req, res) -> {
          if (req.rawPath().equals("/refused")) {
            res.status(401);
            res.send(new byte[0]);
            return;
          }
          try (InputStream in = req.body()) {
            res.send(in.readAllBytes());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    String head = "HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";

    try (SSLSocket socket =
        (SSLSocket) clientTls.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
      socket.setSoTimeout(3_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // As a client should: the head, then the body only once the server says to go on.
      out.write(("POST /read " + head).getBytes(ISO_8859_1));
      out.flush();
      assertThat(readUntilBlankLine(in)).startsWith("HTTP/1.1 100 Continue");
      out.write("ok".getBytes(ISO_8859_1));
      out.flush();
      assertThat(readUntilBlankLine(in)).startsWith("HTTP/1.1 200 OK");
      assertThat(in.readNBytes(2)).asString(ISO_8859_1).isEqualTo("ok");

      out.write(("POST /refused " + head).getBytes(ISO_8859_1));
      out.flush();
      String refused = readUntilBlankLine(in);
      assertThat(refused).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
    }
  }

  private static String readUntilBlankLine(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(ISO_8859_1);
  }

  @Test
  void refusesAmbiguousFramingBeforeAnyHandlerRuns() throws Exception {
    startEcho();

    for (String framing :
        List.of(
            "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            "Content-Length: 3\r\nContent-Length: 3\r\n",
            "Transfer-Encoding: gzip, chunked\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")) {
      String answer =
          exchange("POST /f HTTP/1.1\r\nHost: a\r\n" + framing + "\r\n3\r\nabc\r\n0\r\n\r\n");
      assertThat(answer).as(framing).startsWith("HTTP/1.1 400");
    }
    assertThat(exchange("GET /nohost HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(exchange("GET /lf HTTP/1.1\nHost: a\n\n")).as("bare LF").startsWith("HTTP/1.1 400");
    assertThat(exchange("GET /twohosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(exchange("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n"))
        .startsWith("HTTP/1.1 414");
    assertThat(exchange("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(5000) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 431");
    assertThat(seen).isEmpty();
  }

  @Test
  void servesHttp2WithABodyAndResetsAStreamWhoseBodyWasRefused() throws Exception {
    start(
        1 << 20,
        (req, res) -> {
          if (req.rawPath().equals("/refuse")) {
            res.status(403);
            res.send("no".getBytes(UTF_8));
            return;
          }
          try (InputStream in = req.body()) {
            res.send(("h2 " + new String(in.readAllBytes(), UTF_8)).getBytes(UTF_8));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    try (HttpClient http = HttpClient.newBuilder().sslContext(clientTls).build()) {
      HttpResponse<String> ok =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/read"))
                  .POST(HttpRequest.BodyPublishers.ofString("hello"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> refused =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/refuse"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[512 * 1024]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(ok.body()).isEqualTo("h2 hello");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).isEqualTo("no");
    }
  }

  @Test
  void replacesObsoleteLineFoldingWithASpaceAsRfc9112Allows() throws Exception {
    start(1024, (req, res) -> res.send(String.join("|", req.all("X-A")).getBytes(UTF_8)));

    // RFC 9112 §5.2: reject, or replace each obs-fold with SP before interpreting the value. The
    // continuation line never becomes a field of its own.
    assertThat(exchange("GET /f HTTP/1.1\r\nHost: a\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200")
        .endsWith("a b");
  }

  private static final EdgeTimeouts SHORT =
      new EdgeTimeouts(Duration.ofMillis(400), Duration.ofMillis(400), Duration.ofSeconds(5));

  @Test
  void closesAConnectionWhoseRequestHeadDoesNotArriveInTime() throws Exception {
    start(1024, SHORT, (req, res) -> res.send(new byte[0]));
    long started = System.nanoTime();

    // A slowloris head: it never ends. The socket's own timeout is 3 s; the listener's is 0.4 s.
    String answer = exchange("GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: 1");

    assertThat(answer).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void answers408WhenARequestBodyStalls() throws Exception {
    start(
        1024,
        SHORT,
        (req, res) -> {
          try (InputStream in = req.body()) {
            in.readAllBytes();
            res.send(new byte[0]);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });

    String answer = exchange("POST /stall HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab");

    assertThat(answer)
        .startsWith("HTTP/1.1 408")
        .contains("request_timeout")
        .containsIgnoringCase("connection: close");
  }

  @Test
  void refusesAnHttp2HeaderListOverTheLimit() throws Exception {
    start(
        1024,
        (req, res) -> {
          seen.add(req.rawPath());
          res.send(new byte[0]);
        });
    try (HttpClient http = HttpClient.newBuilder().sslContext(clientTls).build()) {
      int status;
      try {
        status =
            http.send(
                    HttpRequest.newBuilder(listener.url().resolve("/big"))
                        .header("X-Big", "v".repeat(6000))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (IOException e) {
        status = -1; // reset or refused: either way not served
      }
      int small =
          http.send(
                  HttpRequest.newBuilder(listener.url().resolve("/small")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode();

      assertThat(status).isNotEqualTo(200);
      assertThat(small).isEqualTo(200);
      assertThat(seen).containsExactly("/small");
    }
  }

  @Test
  void answers500WhenTheHandlerFailsAndKeepsServing() throws Exception {
    start(
        1024,
        (req, res) -> {
          if (req.rawPath().equals("/boom")) {
            throw new IllegalStateException("boom");
          }
          res.send("fine".getBytes(UTF_8));
        });

    assertThat(exchange("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n"))
        .startsWith("HTTP/1.1 500")
        .contains("server_error")
        .doesNotContain("boom");
    assertThat(exchange("GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200")
        .endsWith("fine");
  }
}
