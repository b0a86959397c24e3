package dev.bulwark.gateway.ratelimit;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/** At most a fixed number of requests in flight to one upstream; the next ones are refused. */
public final class ConcurrencyLimit {
  private final int max;
  private final Semaphore permits;

  private ConcurrencyLimit(int max) {
    this.max = max;
    this.permits = new Semaphore(max);
  }

  /** A limit of {@code max} requests in flight. */
  public static ConcurrencyLimit of(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
    return new ConcurrencyLimit(max);
  }

  /** A permit if fewer than the maximum are in flight; never waits. */
  public Optional<Permit> tryAcquire() {
    return permits.tryAcquire() ? Optional.of(new Permit(permits)) : Optional.empty();
  }

  /** Requests in flight now. */
  public int inFlight() {
    return max - permits.availablePermits();
  }

  /** The maximum in flight. */
  public int max() {
    return max;
  }

  /** One request in flight; closing it releases its place exactly once, however often closed. */
  public static final class Permit implements AutoCloseable {
    private final Semaphore permits;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(Semaphore permits) {
      this.permits = permits;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        permits.release();
      }
    }
  }
}
