package dev.bulwark.gateway.ratelimit;

import java.util.concurrent.ThreadLocalRandom;

/** Rules for the tests; random names keep each test's Redis keys apart from every other's. */
final class TestRules {
  private TestRules() {}

  static RateLimitRule rule(String rate, long burst, StoreFailure onStoreFailure) {
    return new RateLimitRule(
        "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE),
        TokenBucket.parse(rate, burst),
        LimitKey.CLIENT,
        onStoreFailure);
  }

  static RateLimitRule rule(String rate, long burst) {
    return rule(rate, burst, StoreFailure.DENY);
  }

  /** Acquires {@code attempts} times; the number allowed. */
  static int admitted(RateLimiter limiter, RateLimitRule rule, String key, int attempts) {
    int allowed = 0;
    for (int i = 0; i < attempts; i++) {
      if (limiter.tryAcquire(rule, key).allowed()) {
        allowed++;
      }
    }
    return allowed;
  }
}
