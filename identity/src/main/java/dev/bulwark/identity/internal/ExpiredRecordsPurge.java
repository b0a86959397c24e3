package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, every {@code period}, what can no longer be used: access tokens (and revocation-list
 * entries) and refresh families expired a day ago, client-assertion ids past their expiry, and
 * authorization codes expired a day ago. Without it those tables only grow. Closed with the
 * provider; a failed purge is logged and retried at the next period.
 */
public final class ExpiredRecordsPurge implements AutoCloseable {
  /** How often the provider purges. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(ExpiredRecordsPurge.class);

  private final TokenStore tokens;
  private final AuthorizationCodeStore codes;
  private final ScheduledExecutorService scheduler;

  private ExpiredRecordsPurge(
      TokenStore tokens, AuthorizationCodeStore codes, ScheduledExecutorService scheduler) {
    this.tokens = tokens;
    this.codes = codes;
    this.scheduler = scheduler;
  }

  /** Starts purging every {@code period}, the first time one period from now. */
  public static ExpiredRecordsPurge start(
      TokenStore tokens, AuthorizationCodeStore codes, Duration period) {
    requireNonNull(tokens, "tokens");
    requireNonNull(codes, "codes");
    requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
    }
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("identity-purge").factory());
    ExpiredRecordsPurge purge = new ExpiredRecordsPurge(tokens, codes, scheduler);
    long millis = period.toMillis();
    scheduler.scheduleWithFixedDelay(purge::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    return purge;
  }

  /** Purges once now; returns how many rows were deleted. */
  public int run() {
    return tokens.purgeExpired() + codes.purgeExpired();
  }

  // A thrown exception would cancel the schedule: log it and try again next period.
  private void runQuietly() {
    try {
      int purged = run();
      if (purged > 0) {
        LOG.debug("purged {} expired token and code rows", purged);
      }
    } catch (RuntimeException e) {
      LOG.warn("purging expired tokens and codes failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
