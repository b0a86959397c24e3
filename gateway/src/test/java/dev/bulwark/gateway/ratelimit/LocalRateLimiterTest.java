package dev.bulwark.gateway.ratelimit;

import static dev.bulwark.gateway.ratelimit.TestRules.admitted;
import static dev.bulwark.gateway.ratelimit.TestRules.rule;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LocalRateLimiter limiter = LocalRateLimiter.create(clock, 10_000);

  @Test
  void admitsTheBurstThenRefuses() {
    RateLimitRule rule = rule("1/s", 5);
    for (int i = 4; i >= 0; i--) {
      RateLimitDecision d = limiter.tryAcquire(rule, "client-a");
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(i);
      assertThat(d.retryAfter()).isZero();
      assertThat(d.degraded()).isFalse();
    }
    RateLimitDecision refused = limiter.tryAcquire(rule, "client-a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(refused.resetAfter()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void refillsWithTime() {
    RateLimitRule rule = rule("2/s", 4);
    assertThat(admitted(limiter, rule, "k", 10)).isEqualTo(4);
    clock.advance(Duration.ofMillis(499));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isFalse();
    clock.advance(Duration.ofHours(1));
    assertThat(admitted(limiter, rule, "k", 10)).as("refill stops at the burst").isEqualTo(4);
  }

  @Test
  void countsEachKeyAndEachRuleApart() {
    RateLimitRule first = rule("1/h", 2);
    RateLimitRule second = rule("1/h", 2);
    assertThat(admitted(limiter, first, "a", 5)).isEqualTo(2);
    assertThat(admitted(limiter, first, "b", 5)).isEqualTo(2);
    assertThat(admitted(limiter, second, "a", 5)).isEqualTo(2);
  }

  @Test
  void aClockSteppingBackRefillsNothing() {
    RateLimitRule rule = rule("1/s", 1);
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
    clock.advance(Duration.ofSeconds(-30));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isFalse();
    clock.advance(Duration.ofSeconds(31));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
  }

  @Test
  void manyThreadsOnOneKeyAdmitExactlyTheBurst() throws Exception {
    LocalRateLimiter realTime = LocalRateLimiter.create();
    RateLimitRule rule = rule("1/d", 1_000);
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      for (int t = 0; t < 32; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  allowed.addAndGet(admitted(realTime, rule, "hot", 100));
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    }
    assertThat(allowed).hasValue(1_000);
  }

  @Test
  void aFloodOfDistinctKeysStaysWithinTheBound() {
    LocalRateLimiter bounded = LocalRateLimiter.create(clock, 6_400);
    RateLimitRule rule = rule("1/s", 1);
    for (int i = 0; i < 200_000; i++) {
      bounded.tryAcquire(rule, "10.0." + (i >>> 8) + "." + (i & 0xff));
    }
    assertThat(bounded.size()).isLessThanOrEqualTo(6_400);
  }

  @Test
  void aHotKeySurvivesAFloodOfColdOnes() {
    LocalRateLimiter bounded = LocalRateLimiter.create(clock, 640);
    RateLimitRule rule = rule("1/h", 3);
    assertThat(admitted(bounded, rule, "hot", 3)).isEqualTo(3);
    for (int i = 0; i < 10_000; i++) {
      bounded.tryAcquire(rule, "cold-" + i);
      if (i % 10 == 0) {
        assertThat(bounded.tryAcquire(rule, "hot").allowed()).isFalse();
      }
    }
  }
}
