package dev.bulwark.gateway.ratelimit;

import static java.time.temporal.ChronoUnit.MICROS;
import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The outcome of one {@link RateLimiter#tryAcquire} call.
 *
 * @param allowed whether the request may proceed
 * @param rule the rule that decided
 * @param remaining whole tokens left in the bucket after this request
 * @param resetAfter time until the bucket is full again
 * @param retryAfter time until the next token, zero when allowed
 * @param degraded true when the store failed and the rule's {@link StoreFailure} decided
 */
public record RateLimitDecision(
    boolean allowed,
    RateLimitRule rule,
    long remaining,
    Duration resetAfter,
    Duration retryAfter,
    boolean degraded) {
  public RateLimitDecision {
    requireNonNull(rule, "rule");
    requireNonNull(resetAfter, "resetAfter");
    requireNonNull(retryAfter, "retryAfter");
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining: " + remaining + " (expected: >= 0)");
    }
    if (resetAfter.isNegative() || retryAfter.isNegative()) {
      throw new IllegalArgumentException(
          "resetAfter/retryAfter: " + resetAfter + "/" + retryAfter + " (expected: >= 0)");
    }
    if (allowed && !retryAfter.isZero()) {
      throw new IllegalArgumentException(
          "retryAfter: " + retryAfter + " (expected: zero when allowed)");
    }
  }

  /** The decision for a bucket at {@code levelUnits} after the request was counted (or not). */
  static RateLimitDecision of(
      RateLimitRule rule, boolean allowed, long levelUnits, boolean degraded) {
    TokenBucket b = rule.bucket();
    long perMicro = b.unitsPerMicrosecond();
    Duration reset = Duration.of(Math.ceilDiv(b.capacityUnits() - levelUnits, perMicro), MICROS);
    Duration retry =
        allowed
            ? Duration.ZERO
            : Duration.of(Math.ceilDiv(b.unitsPerToken() - levelUnits, perMicro), MICROS);
    return new RateLimitDecision(
        allowed, rule, levelUnits / b.unitsPerToken(), reset, retry, degraded);
  }
}
