package dev.bulwark.gateway.ratelimit;

/**
 * Counts requests against token buckets, one bucket per rule and key.
 *
 * <p>Implementations: {@link LocalRateLimiter} (this process's memory) and {@link RedisRateLimiter}
 * (shared by every gateway instance through Redis).
 */
public interface RateLimiter {
  /**
   * Takes one token from the bucket of {@code rule} for {@code key} if it holds one. Never waits
   * for a token; a shared limiter may block the calling (virtual) thread up to its store timeout.
   *
   * @param key the value the rule counts per (a client id, subject, address or route name)
   */
  RateLimitDecision tryAcquire(RateLimitRule rule, String key);

  /** Whether {@link #tryAcquire} answers from memory alone, never waiting on a store. */
  default boolean answersLocally() {
    return false;
  }
}
