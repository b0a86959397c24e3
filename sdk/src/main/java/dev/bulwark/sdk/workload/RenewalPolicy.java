package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * When to renew an SVID and how to retry: renew at {@code fraction} of the lifetime, moved by up to
 * {@code ±jitter} of that point so that workloads started together do not renew together; after a
 * failure retry with exponential backoff from {@code initialBackoff} to {@code maxBackoff}.
 */
record RenewalPolicy(double fraction, double jitter, Duration initialBackoff, Duration maxBackoff) {
  /** The policy of the design: renew at half the lifetime ±10%, back off from 1 s to 30 s. */
  static final RenewalPolicy DEFAULT =
      new RenewalPolicy(0.5, 0.1, Duration.ofSeconds(1), Duration.ofSeconds(30));

  RenewalPolicy {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException(
          "renewal fraction " + fraction + " (expected between 0 and 1, exclusive)");
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("renewal jitter " + jitter + " (expected 0 <= j < 1)");
    }
    if (fraction * (1 + jitter) >= 1) {
      throw new IllegalArgumentException(
          "renewal at "
              + fraction
              + " ± "
              + jitter
              + " could fall at or after expiry (expected fraction × (1 + jitter) < 1)");
    }
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initial backoff " + initialBackoff + " (expected > 0)");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maximum backoff " + maxBackoff + " (expected >= the initial " + initialBackoff + ")");
    }
  }

  /**
   * When to renew an SVID valid from {@code notBefore} to {@code notAfter}; {@code random} is
   * uniform in [0, 1) and picks the point within the jitter.
   */
  Instant renewalTime(Instant notBefore, Instant notAfter, double random) {
    double factor = fraction * (1 + jitter * (2 * random - 1));
    return notBefore.plusNanos((long) (Duration.between(notBefore, notAfter).toNanos() * factor));
  }

  /** The wait after the {@code failures}-th failure in a row: doubling, up to the maximum. */
  Duration backoff(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures " + failures + " (expected >= 1)");
    }
    Duration delay = initialBackoff;
    for (int i = 1; i < failures && delay.compareTo(maxBackoff) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }

  /**
   * The wait before retrying a failed renewal: the backoff, but never past the moment the SVID
   * starts expiring (unless that was reported already) or expires, so both are noticed on time.
   */
  Duration retryDelay(
      int failures, Instant now, Instant notBefore, Instant notAfter, boolean expiringReported) {
    Duration delay = backoff(failures);
    if (!expiringReported) {
      delay = atMost(delay, now, expiringFrom(notBefore, notAfter));
    }
    return atMost(delay, now, notAfter);
  }

  /** From when an SVID counts as about to expire: a quarter of its lifetime before expiry. */
  static Instant expiringFrom(Instant notBefore, Instant notAfter) {
    return notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(4));
  }

  private static Duration atMost(Duration delay, Instant now, Instant moment) {
    if (!now.isBefore(moment)) {
      return delay;
    }
    Duration until = Duration.between(now, moment);
    return until.compareTo(delay) < 0 ? until : delay;
  }
}
