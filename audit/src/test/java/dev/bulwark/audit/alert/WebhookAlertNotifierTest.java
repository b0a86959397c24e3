package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bulwark.audit.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTPS receiver on loopback. */
class WebhookAlertNotifierTest {
  private static final TestPki PKI = TestPki.create();
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private HttpsServer receiver;
  private URI webhook;
  private WebhookAlertNotifier notifier;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setHttpsConfigurator(new HttpsConfigurator(PKI.server()));
    receiver.createContext(
        "/hooks/",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          Integer status = statuses.poll();
          exchange.sendResponseHeaders(status == null ? 204 : status, -1);
          exchange.close();
        });
    receiver.start();
    webhook = URI.create("https://localhost:" + receiver.getAddress().getPort() + "/hooks/T0KEN");
  }

  @AfterEach
  void stop() {
    if (notifier != null) {
      notifier.close();
    }
    receiver.stop(0);
  }

  private static Alert alert() {
    return new Alert(
        "brute_force",
        Alert.Severity.WARNING,
        "subject:alice",
        "10 failed logins for subject alice within PT5M",
        Instant.parse("2026-11-23T12:00:00Z"),
        Map.of("subject", "alice"));
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + PATIENCE);
      }
      Thread.sleep(5);
    }
  }

  private WebhookAlertNotifier notifier() {
    return WebhookAlertNotifier.create(
        webhook, Optional.of(PKI.trustOnly()), Duration.ofSeconds(5), Duration.ofMillis(1));
  }

  @Test
  void postsTheAlertAsJsonToTheHttpsReceiver() throws Exception {
    notifier = notifier();

    notifier.send(alert());
    await(() -> notifier.delivered() == 1);

    assertThat(contentTypes).containsExactly("application/json");
    assertThat(bodies.getFirst())
        .isEqualTo(
            "{\"rule\":\"brute_force\",\"severity\":\"WARNING\",\"key\":\"subject:alice\","
                + "\"message\":\"10 failed logins for subject alice within PT5M\","
                + "\"time\":\"2026-11-23T12:00:00Z\",\"details\":{\"subject\":\"alice\"}}");
  }

  @Test
  void retriesAReceiverThatFailsThenDelivers() throws Exception {
    statuses.add(503);
    statuses.add(500);
    notifier = notifier();

    notifier.send(alert());
    await(() -> notifier.delivered() == 1);

    assertThat(bodies).hasSize(3);
    assertThat(notifier.dropped()).isZero();
  }

  @Test
  void dropsAndCountsAnAlertTheReceiverRefuses() throws Exception {
    statuses.add(400);
    notifier = notifier();

    notifier.send(alert());
    await(() -> notifier.dropped() == 1);

    assertThat(bodies).hasSize(1);
    assertThat(notifier.delivered()).isZero();
  }

  @Test
  void dropsAndCountsAlertsSentAfterClose() {
    notifier = notifier();
    notifier.close();

    notifier.send(alert());

    assertThat(notifier.dropped()).isEqualTo(1);
  }

  @Test
  void refusesAWebhookThatIsNotHttps() {
    assertThatThrownBy(
            () ->
                WebhookAlertNotifier.create(
                    URI.create("http://hooks.example/services/T0KEN"),
                    Optional.empty(),
                    Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: an https URL")
        .hasMessageNotContaining("T0KEN");
  }

  @Test
  void doesNotPostToAReceiverItsTrustAnchorsDoNotVouchFor() throws Exception {
    notifier =
        WebhookAlertNotifier.create(
            webhook,
            Optional.of(TestPki.create().trustOnly()),
            Duration.ofSeconds(5),
            Duration.ofMillis(1));

    notifier.send(alert());
    await(() -> notifier.dropped() == 1);

    assertThat(bodies).isEmpty();
  }
}
