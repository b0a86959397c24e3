package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant UNTIL = FROM.plus(Duration.ofHours(1));
  private final RenewalPolicy policy = RenewalPolicy.DEFAULT;

  @Test
  void renewsAtHalfTheLifetimeMovedByAtMostTenPercent() {
    assertThat(policy.renewalTime(FROM, UNTIL, 0.5)).isEqualTo(FROM.plus(Duration.ofMinutes(30)));
    assertThat(policy.renewalTime(FROM, UNTIL, 0.0)).isEqualTo(FROM.plus(Duration.ofMinutes(27)));
    assertThat(policy.renewalTime(FROM, UNTIL, Math.nextDown(1.0)))
        .isBetween(FROM.plus(Duration.ofSeconds(1979)), FROM.plus(Duration.ofMinutes(33)));
    for (double random = 0; random < 1; random += 0.01) {
      assertThat(policy.renewalTime(FROM, UNTIL, random))
          .isBetween(FROM.plus(Duration.ofMinutes(27)), FROM.plus(Duration.ofMinutes(33)));
    }
  }

  @Test
  void withoutJitterRenewsExactlyAtTheFraction() {
    RenewalPolicy exact = new RenewalPolicy(0.75, 0, Duration.ofSeconds(1), Duration.ofSeconds(1));

    assertThat(exact.renewalTime(FROM, UNTIL, 0.0)).isEqualTo(FROM.plus(Duration.ofMinutes(45)));
    assertThat(exact.renewalTime(FROM, UNTIL, 0.9)).isEqualTo(FROM.plus(Duration.ofMinutes(45)));
  }

  @Test
  void backoffDoublesFromTheInitialWaitUpToTheMaximum() {
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.backoff(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.backoff(1_000_000)).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> policy.backoff(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retriesNeverWaitPastTheMomentTheSvidStartsExpiringOrExpires() {
    Instant expiring = FROM.plus(Duration.ofMinutes(45));

    assertThat(policy.retryDelay(9, expiring.minusSeconds(10), FROM, UNTIL, false))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.retryDelay(9, expiring.minusSeconds(10), FROM, UNTIL, true))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.retryDelay(9, UNTIL.minusSeconds(5), FROM, UNTIL, true))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.retryDelay(9, UNTIL, FROM, UNTIL, true)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.retryDelay(2, UNTIL.plusSeconds(60), FROM, UNTIL, true))
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void anSvidStartsExpiringWithAQuarterOfItsLifetimeLeft() {
    assertThat(RenewalPolicy.expiringFrom(FROM, UNTIL))
        .isEqualTo(FROM.plus(Duration.ofMinutes(45)));
  }

  @Test
  void refusesSettingsThatCouldRenewTooLateOrNever() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new RenewalPolicy(0, 0, second, second))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(1, 0, second, second))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(0.9, 0.2, second, second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at or after expiry");
    assertThatThrownBy(() -> new RenewalPolicy(0.5, -0.1, second, second))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(0.5, Double.NaN, second, second))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(0.5, 0.1, Duration.ZERO, second))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(0.5, 0.1, second.multipliedBy(2), second))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
