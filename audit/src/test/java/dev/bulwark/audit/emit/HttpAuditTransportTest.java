package dev.bulwark.audit.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import dev.bulwark.audit.testing.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real collector stand-in on loopback that requires a client certificate. */
class HttpAuditTransportTest {
  private static final String WORKLOAD = "spiffe://bulwark.test/payments";
  private static final TestPki PKI = TestPki.create();

  private final AtomicReference<Answer> answer =
      new AtomicReference<>(new Answer(200, "{\"accepted\": 2, \"sequences\": [1, 2]}", null));
  private final AtomicReference<Received> received = new AtomicReference<>();
  private HttpsServer server;
  private URI collector;

  private record Answer(int status, String body, String retryAfter) {}

  private record Received(
      String method, String path, String contentType, byte[] body, String protocol, String peer) {}

  @BeforeEach
  void startCollector() throws IOException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(PKI.server()) {
          @Override
          public void configure(HttpsParameters parameters) {
            SSLParameters tls = getSSLContext().getDefaultSSLParameters();
            tls.setNeedClientAuth(true);
            parameters.setSSLParameters(tls);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          HttpsExchange https = (HttpsExchange) exchange;
          String peer;
          try {
            peer =
                ((X509Certificate) https.getSSLSession().getPeerCertificates()[0])
                    .getSubjectAlternativeNames()
                    .iterator()
                    .next()
                    .get(1)
                    .toString();
          } catch (Exception e) {
            peer = "none";
          }
          received.set(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  exchange.getRequestBody().readAllBytes(),
                  https.getSSLSession().getProtocol(),
                  peer));
          Answer reply = answer.get();
          byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          if (reply.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
          }
          exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    collector = URI.create("https://localhost:" + server.getAddress().getPort());
  }

  @AfterEach
  void stopCollector() {
    server.stop(0);
  }

  private HttpAuditTransport transport(SSLContext tls) {
    return HttpAuditTransport.create(collector, tls, Duration.ofSeconds(10));
  }

  private static List<AuditEvent> twoEvents() {
    return List.of(
        AuditEvent.builder("payments", "payment.create", AuditEvent.Outcome.SUCCESS)
            .subject("alice")
            .build(),
        AuditEvent.builder("payments", "payment.refund", AuditEvent.Outcome.DENIED)
            .subject("bob")
            .reason("over limit")
            .build());
  }

  private AuditDeliveryException failureFor(int status, String body, String retryAfter) {
    answer.set(new Answer(status, body, retryAfter));
    return catchThrowableOfType(
        AuditDeliveryException.class, () -> transport(PKI.client(WORKLOAD)).deliver(twoEvents()));
  }

  @Test
  void postsOneCodecLinePerEventAsNdjsonOverMutualTls13() throws Exception {
    List<AuditEvent> events = twoEvents();

    transport(PKI.client(WORKLOAD)).deliver(events);

    Received request = received.get();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/events");
    assertThat(request.contentType()).isEqualTo("application/x-ndjson");
    assertThat(request.protocol()).isEqualTo("TLSv1.3");
    assertThat(request.peer()).isEqualTo(WORKLOAD);
    String body = new String(request.body(), StandardCharsets.UTF_8);
    assertThat(body).endsWith("\n");
    List<AuditEvent> decoded =
        Arrays.stream(body.split("\n"))
            .map(line -> AuditEventCodec.decode(line.getBytes(StandardCharsets.UTF_8)))
            .toList();
    assertThat(decoded).isEqualTo(events);
  }

  @Test
  void badLineIsRefusedWithoutRetryNamingTheEvent() {
    AuditDeliveryException e = failureFor(400, "{\"error\": \"bad event\", \"line\": 2}", null);

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.REJECTED);
    assertThat(e.retryable()).isFalse();
    assertThat(e.rejectedIndex()).hasValue(1);
    assertThat(e.getMessage()).contains("audit.rejected", "400", "bad event");
  }

  @Test
  void tooLargeIsNotRetriedAsIs() {
    AuditDeliveryException e = failureFor(413, "", null);

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.TOO_LARGE);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void failingStoreIsRetriedAfterWhatRetryAfterSays() {
    AuditDeliveryException e = failureFor(503, "{\"error\": \"store failing\"}", "7");

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.UNAVAILABLE);
    assertThat(e.retryable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void identityRefusalsAndServerErrorsAreRetried() {
    assertThat(failureFor(401, "", null).failure())
        .isEqualTo(AuditDeliveryException.Failure.IDENTITY);
    assertThat(failureFor(403, "", null).retryable()).isTrue();
    assertThat(failureFor(500, "", null).failure())
        .isEqualTo(AuditDeliveryException.Failure.SERVER_ERROR);
    assertThat(failureFor(500, "", null).retryable()).isTrue();
  }

  @Test
  void readsRetryAfterInSecondsOrAsAnHttpDateAndIgnoresNonsense() {
    assertThat(HttpAuditTransport.retryAfter(Optional.of("120"))).contains(Duration.ofMinutes(2));
    assertThat(HttpAuditTransport.retryAfter(Optional.of("Tue, 01 Jan 2019 00:00:00 GMT")))
        .contains(Duration.ZERO);
    assertThat(HttpAuditTransport.retryAfter(Optional.of("-5"))).isEmpty();
    assertThat(HttpAuditTransport.retryAfter(Optional.of("soon"))).isEmpty();
    assertThat(HttpAuditTransport.retryAfter(Optional.empty())).isEmpty();
  }

  @Test
  void badLineNumberOutsideTheBatchRefusesTheWholeBatch() {
    AuditDeliveryException e = failureFor(400, "{\"line\": 99}", null);

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.REJECTED);
    assertThat(e.rejectedIndex()).isEmpty();
  }

  @Test
  void acknowledgementOfFewerEventsThanSentIsNotTakenAsDelivery() {
    AuditDeliveryException e = failureFor(200, "{\"accepted\": 1, \"sequences\": [7]}", null);

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.BAD_ACKNOWLEDGEMENT);
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void unexpectedStatusIsNotRetried() {
    assertThat(failureFor(404, "", null).retryable()).isFalse();
  }

  @Test
  void collectorRefusesACallerWithoutAClientCertificate() {
    AuditDeliveryException e =
        catchThrowableOfType(
            AuditDeliveryException.class, () -> transport(PKI.trustOnly()).deliver(twoEvents()));

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.UNREACHABLE);
    assertThat(received.get()).isNull();
  }

  @Test
  void refusesACollectorItsTrustAnchorsDoNotVouchFor() {
    SSLContext otherCa = TestPki.create().client(WORKLOAD);

    AuditDeliveryException e =
        catchThrowableOfType(
            AuditDeliveryException.class, () -> transport(otherCa).deliver(twoEvents()));

    assertThat(e.failure()).isEqualTo(AuditDeliveryException.Failure.UNREACHABLE);
    assertThat(received.get()).isNull();
  }

  @Test
  void refusesPlainHttpCollectors() {
    assertThatThrownBy(
            () ->
                HttpAuditTransport.create(
                    URI.create("http://localhost:8450"),
                    PKI.client(WORKLOAD),
                    Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: an https URL");
  }

  @Test
  void postsUnderTheCollectorsBasePath() {
    HttpAuditTransport transport =
        HttpAuditTransport.create(
            URI.create("https://audit.internal:8450/base/"),
            PKI.client(WORKLOAD),
            Duration.ofSeconds(1));

    assertThat(transport.endpoint()).hasToString("https://audit.internal:8450/base/v1/events");
  }

  @Test
  void emitterDeliversThroughTheTransport() {
    answer.set(new Answer(200, "{\"accepted\": 1, \"sequences\": [1]}", null));
    AuditEvent event = twoEvents().getFirst();
    AuditEmitter emitter =
        AuditEmitter.builder(transport(PKI.client(WORKLOAD))).name("payments").build();
    emitter.record(event);
    emitter.close();

    assertThat(emitter.stats().delivered()).isEqualTo(1);
    assertThat(
            AuditEventCodec.decode(
                Arrays.copyOf(received.get().body(), received.get().body().length - 1)))
        .isEqualTo(event);
  }
}
