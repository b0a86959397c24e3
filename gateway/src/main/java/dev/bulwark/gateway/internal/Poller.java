package dev.bulwark.gateway.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one check at a fixed delay on a daemon thread of its own, until closed. */
public final class Poller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

  private final ScheduledExecutorService executor;

  private Poller(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /** Runs {@code check} every {@code interval} (first after one interval). */
  public static Poller every(Duration interval, String name, Runnable check) {
    requireNonNull(interval, "interval");
    requireNonNull(check, "check");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name(name).daemon()::unstarted);
    executor.scheduleWithFixedDelay(
        () -> {
          // An exception would cancel the schedule, and with it every later reload.
          try {
            check.run();
          } catch (RuntimeException e) {
            LOG.error("{} failed: {}", name, e.toString());
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return new Poller(executor);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
