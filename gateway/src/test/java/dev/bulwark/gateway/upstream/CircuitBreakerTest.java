package dev.bulwark.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker("r", 2, Duration.ofSeconds(10), clock);

  private void fail() {
    assertThat(breaker.admit()).isEmpty();
    breaker.failed();
  }

  @Test
  void aSuccessResetsTheRunOfFailures() {
    fail();
    assertThat(breaker.admit()).isEmpty();
    breaker.succeeded();
    fail();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void halfOpenLetsOnlyOneTrialThrough() {
    fail();
    fail();
    clock.advance(Duration.ofSeconds(10));

    assertThat(breaker.admit()).isEmpty();
    assertThat(breaker.admit()).isPresent();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void aReleasedTrialLetsTheNextOneThrough() {
    fail();
    fail();
    clock.advance(Duration.ofSeconds(10));
    assertThat(breaker.admit()).isEmpty();
    breaker.released();

    assertThat(breaker.admit()).isEmpty();
  }

  @Test
  void anOpenBreakerSaysHowLongToWait() {
    fail();
    fail();
    clock.advance(Duration.ofSeconds(4));

    assertThat(breaker.admit()).hasValue(Duration.ofSeconds(6));
  }
}
