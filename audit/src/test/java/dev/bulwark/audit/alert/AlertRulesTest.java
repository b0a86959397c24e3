package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-11-23T12:00:00Z"));
  private final List<Alert> alerts = new CopyOnWriteArrayList<>();

  private AlertRules.Builder rules() {
    return AlertRules.builder(alerts::add).clock(clock);
  }

  private static AuditEvent failedLogin(String subject, String address) {
    return AuditEvent.builder("identity", "password.login", AuditEvent.Outcome.FAILURE)
        .subject(subject)
        .sourceAddress(address)
        .build();
  }

  private static AuditEvent response(String status, String address) {
    return AuditEvent.builder("gateway", "http.response", AuditEvent.Outcome.DENIED)
        .sourceAddress(address)
        .attribute("status", status)
        .build();
  }

  private static void repeat(int times, Runnable action) {
    for (int i = 0; i < times; i++) {
      action.run();
    }
  }

  @Test
  void bruteForceAlertsAtTheThresholdForOneSubjectAndNotBelow() {
    AlertRules rules = rules().bruteForce(5, Duration.ofMinutes(5)).build();

    for (int i = 0; i < 4; i++) {
      rules.observe(failedLogin("alice", "192.0.2." + i));
    }
    assertThat(alerts).isEmpty();

    rules.observe(failedLogin("alice", "192.0.2.9"));

    assertThat(alerts)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.rule()).isEqualTo("brute_force");
              assertThat(alert.key()).isEqualTo("subject:alice");
              assertThat(alert.severity()).isEqualTo(Alert.Severity.WARNING);
              assertThat(alert.details())
                  .containsEntry("failures", "5")
                  .containsEntry("subject", "alice");
              assertThat(alert.time()).isEqualTo(clock.instant());
            });
  }

  @Test
  void bruteForceCountsOneSourceAddressAcrossSubjects() {
    AlertRules rules = rules().bruteForce(3, Duration.ofMinutes(5)).build();

    rules.observe(failedLogin("alice", "203.0.113.7"));
    rules.observe(failedLogin("bob", "203.0.113.7"));
    rules.observe(failedLogin("carol", "203.0.113.7"));

    assertThat(alerts).extracting(Alert::key).containsExactly("source_address:203.0.113.7");
  }

  @Test
  void bruteForceAlertsOncePerKeyPerWindowAndAgainInTheNext() {
    AlertRules rules = rules().bruteForce(3, Duration.ofMinutes(5)).build();

    repeat(30, () -> rules.observe(failedLogin("alice", "192.0.2.1")));
    assertThat(alerts)
        .extracting(Alert::key)
        .containsExactlyInAnyOrder("subject:alice", "source_address:192.0.2.1");

    clock.advance(Duration.ofMinutes(6));
    repeat(2, () -> rules.observe(failedLogin("alice", "192.0.2.1")));
    assertThat(alerts).hasSize(2);
    rules.observe(failedLogin("alice", "192.0.2.1"));
    assertThat(alerts).hasSize(4);
  }

  @Test
  void bruteForceForgetsFailuresOlderThanTheWindow() {
    AlertRules rules = rules().bruteForce(3, Duration.ofMinutes(5)).build();

    repeat(2, () -> rules.observe(failedLogin("alice", "192.0.2.1")));
    clock.advance(Duration.ofMinutes(6));
    rules.observe(failedLogin("alice", "192.0.2.1"));

    assertThat(alerts).isEmpty();
  }

  @Test
  void bruteForceIgnoresSuccessfulLoginsAndOtherActions() {
    AlertRules rules = rules().bruteForce(2, Duration.ofMinutes(5)).build();

    repeat(
        5,
        () ->
            rules.observe(
                AuditEvent.builder("identity", "login", AuditEvent.Outcome.SUCCESS)
                    .subject("alice")
                    .build()));
    repeat(
        5,
        () ->
            rules.observe(
                AuditEvent.builder("identity", "loginx", AuditEvent.Outcome.FAILURE)
                    .subject("alice")
                    .build()));
    assertThat(alerts).isEmpty();

    repeat(
        2,
        () ->
            rules.observe(
                AuditEvent.builder("identity", "login", AuditEvent.Outcome.DENIED)
                    .subject("alice")
                    .build()));
    assertThat(alerts).extracting(Alert::key).containsExactly("subject:alice");
  }

  @Test
  void authErrorSpikeAlertsOverallAtTheThresholdAndNotBelow() {
    AlertRules rules = rules().authErrorSpike(10, 100, Duration.ofMinutes(1)).build();

    for (int i = 0; i < 9; i++) {
      rules.observe(response(i % 2 == 0 ? "401" : "403", "198.51.100." + i));
    }
    rules.observe(response("200", "198.51.100.1"));
    rules.observe(response("404", "198.51.100.1"));
    assertThat(alerts).isEmpty();

    rules.observe(response("401", "198.51.100.50"));

    assertThat(alerts)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.rule()).isEqualTo("auth_error_spike");
              assertThat(alert.key()).isEqualTo("all");
              assertThat(alert.details()).containsEntry("responses", "10");
            });
    repeat(50, () -> rules.observe(response("403", "198.51.100.77")));
    assertThat(alerts).hasSize(1);
  }

  @Test
  void authErrorSpikeAlertsPerSourceAddress() {
    AlertRules rules = rules().authErrorSpike(1000, 4, Duration.ofMinutes(1)).build();

    repeat(3, () -> rules.observe(response("401", "198.51.100.1")));
    repeat(3, () -> rules.observe(response("401", "198.51.100.2")));
    assertThat(alerts).isEmpty();

    rules.observe(response("403", "198.51.100.2"));
    repeat(10, () -> rules.observe(response("403", "198.51.100.2")));

    assertThat(alerts).extracting(Alert::key).containsExactly("source_address:198.51.100.2");
  }

  @Test
  void refreshTokenReuseAlwaysAlertsCriticalWithoutTheToken() {
    AlertRules rules = rules().refreshTokenReuse().build();
    AuditEvent reuse =
        AuditEvent.builder("identity", "token.refresh", AuditEvent.Outcome.DENIED)
            .subject("alice")
            .clientId("demo-shop")
            .reason("refresh_token_reuse")
            .attribute("refresh_token", "rt-SECRET-value")
            .build();

    rules.observe(reuse);
    rules.observe(reuse);
    rules.observe(
        AuditEvent.builder("identity", "token.refresh", AuditEvent.Outcome.DENIED)
            .subject("alice")
            .reason("expired")
            .build());

    assertThat(alerts)
        .hasSize(2)
        .allSatisfy(
            alert -> {
              assertThat(alert.rule()).isEqualTo("refresh_token_reuse");
              assertThat(alert.severity()).isEqualTo(Alert.Severity.CRITICAL);
              assertThat(alert.key()).isEqualTo("subject:alice");
              assertThat(alert.details()).containsEntry("client_id", "demo-shop");
              assertThat(alert.toString()).doesNotContain("SECRET");
            });
  }

  private static AuditEvent expiring(String workload, Instant notAfter) {
    return AuditEvent.builder("ca", "certificate.expiring", AuditEvent.Outcome.SUCCESS)
        .workload(workload)
        .attribute("not_after", notAfter.toString())
        .build();
  }

  @Test
  void certificateExpiryAlertsWithinTheThresholdOncePerWorkloadPerWindow() {
    AlertRules rules = rules().certificateExpiry(Duration.ofDays(7), Duration.ofHours(1)).build();
    String payments = "spiffe://bulwark.test/payments";

    rules.observe(expiring(payments, clock.instant().plus(Duration.ofDays(8))));
    assertThat(alerts).isEmpty();

    rules.observe(expiring(payments, clock.instant().plus(Duration.ofDays(7))));
    rules.observe(expiring(payments, clock.instant().plus(Duration.ofDays(6))));
    rules.observe(expiring("spiffe://bulwark.test/orders", clock.instant().plusSeconds(60)));
    assertThat(alerts)
        .extracting(Alert::key)
        .containsExactly("workload:" + payments, "workload:spiffe://bulwark.test/orders");
    assertThat(alerts.getFirst().severity()).isEqualTo(Alert.Severity.WARNING);

    clock.advance(Duration.ofHours(2));
    rules.observe(expiring(payments, clock.instant().minusSeconds(1)));
    assertThat(alerts).hasSize(3);
    assertThat(alerts.getLast().severity()).isEqualTo(Alert.Severity.CRITICAL);
    assertThat(alerts.getLast().message()).contains("expired");
  }

  @Test
  void certificateExpiryIgnoresEventsItCannotRead() {
    AlertRules rules = rules().certificateExpiry(Duration.ofDays(7), Duration.ofHours(1)).build();

    rules.observe(
        AuditEvent.builder("ca", "certificate.expiring", AuditEvent.Outcome.SUCCESS)
            .workload("spiffe://bulwark.test/payments")
            .attribute("not_after", "tomorrow")
            .build());
    rules.observe(
        AuditEvent.builder("ca", "certificate.expiring", AuditEvent.Outcome.SUCCESS)
            .attribute("not_after", clock.instant().toString())
            .build());

    assertThat(alerts).isEmpty();
  }

  @Test
  void auditDropsAlertOncePerComponentPerWindow() {
    AlertRules rules = rules().auditDrops().build();
    AuditEvent drop =
        AuditEvent.builder("payments", "audit.dropped", AuditEvent.Outcome.FAILURE)
            .attribute("count", "42")
            .attribute("since", "2026-11-23T11:59:00Z")
            .attribute("until", "2026-11-23T12:00:00Z")
            .build();

    rules.observe(drop);
    rules.observe(drop);
    clock.advance(Duration.ofMinutes(2));
    rules.observe(drop);

    assertThat(alerts)
        .hasSize(2)
        .allSatisfy(
            alert -> {
              assertThat(alert.rule()).isEqualTo("audit_drops");
              assertThat(alert.key()).isEqualTo("component:payments");
              assertThat(alert.message()).contains("42");
              assertThat(alert.details()).containsEntry("count", "42");
            });
  }

  @Test
  void defaultsUseThePlatformThresholds() {
    AlertRules rules = AlertRules.defaults(alerts::add, clock);

    repeat(9, () -> rules.observe(failedLogin("alice", "192.0.2.1")));
    assertThat(alerts).isEmpty();
    rules.observe(failedLogin("alice", "192.0.2.1"));

    assertThat(alerts).hasSize(2);
  }

  @Test
  void aFailingNotifierDoesNotBreakObserving() {
    AlertRules rules =
        AlertRules.builder(
                alert -> {
                  throw new IllegalStateException("down");
                })
            .clock(clock)
            .refreshTokenReuse()
            .build();

    rules.observe(
        AuditEvent.builder("identity", "token.refresh", AuditEvent.Outcome.DENIED)
            .reason("refresh_token_reuse")
            .build());
  }

  @Test
  void allSendsToEveryNotifierEvenAfterOneFails() {
    List<Alert> second = new CopyOnWriteArrayList<>();
    AlertNotifier all =
        AlertNotifier.all(
            alert -> {
              throw new IllegalStateException("down");
            },
            second::add,
            AlertNotifier.log());
    Alert alert =
        new Alert(
            "audit_drops",
            Alert.Severity.WARNING,
            "component:payments",
            "lost",
            clock.instant(),
            java.util.Map.of());

    all.send(alert);

    assertThat(second).containsExactly(alert);
  }

  @Test
  void buildRequiresARule() {
    assertThatThrownBy(() -> AlertRules.builder(alerts::add).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rules");
    assertThatThrownBy(() -> rules().bruteForce(0, Duration.ofMinutes(1)))
        .hasMessageContaining("threshold: 0");
  }

  @Test
  void keepsAtMostMaxKeysUnderAFloodOfDistinctKeys() {
    SlidingCounts counts = new SlidingCounts(3, Duration.ofMinutes(5), 100);

    for (int i = 0; i < 10_000; i++) {
      counts.hit("subject:user-" + i, clock.instant());
    }

    assertThat(counts.size()).isEqualTo(100);
  }

  @Test
  void forgetsKeysUnseenForAWindowBeforeAnyOther() {
    SlidingCounts counts = new SlidingCounts(2, Duration.ofMinutes(5), 2);
    Instant start = clock.instant();
    counts.hit("old", start);
    counts.hit("attacked", start.plusSeconds(400));

    counts.hit("new", start.plusSeconds(401));

    assertThat(counts.hit("attacked", start.plusSeconds(402))).isEqualTo(2);
  }
}
