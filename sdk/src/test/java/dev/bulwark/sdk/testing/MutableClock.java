package dev.bulwark.sdk.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests move by hand: stopped at a given instant, or ticking from now. Shared with other
 * modules' tests through the SDK's test jar.
 */
public final class MutableClock extends Clock {
  private final Clock base;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  /** A clock stopped at {@code start}. */
  public MutableClock(Instant start) {
    this(Clock.fixed(start, ZoneOffset.UTC));
  }

  private MutableClock(Clock base) {
    this.base = base;
  }

  /** A clock that keeps real time until moved. */
  public static MutableClock ticking() {
    return new MutableClock(Clock.systemUTC());
  }

  /** Moves the clock to {@code instant}. */
  public void set(Instant instant) {
    Instant current = instant();
    offset.updateAndGet(o -> o.plus(Duration.between(current, instant)));
  }

  public void advance(Duration duration) {
    offset.updateAndGet(current -> current.plus(duration));
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
