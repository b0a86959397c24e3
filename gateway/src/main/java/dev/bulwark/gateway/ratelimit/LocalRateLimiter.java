package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets in this process's memory: exact under concurrency, and bounded.
 *
 * <p>Buckets live in a fixed number of segments, each a least-recently-used map guarded by its own
 * lock, so a flood of distinct keys (spoofed source addresses) evicts idle buckets instead of
 * growing the heap. An evicted bucket starts again full, as an idle one would be anyway; hot keys
 * are the most recently used and stay.
 */
public final class LocalRateLimiter implements RateLimiter {
  /** The default bound on buckets held: about 100 bytes each, so roughly 100 MB at most. */
  public static final int DEFAULT_MAX_BUCKETS = 1_000_000;

  private static final int SEGMENTS = 64;

  private final Clock clock;
  private final Segment[] segments;

  private LocalRateLimiter(Clock clock, int maxBuckets) {
    this.clock = clock;
    int perSegment = Math.max(1, maxBuckets / SEGMENTS);
    this.segments = new Segment[SEGMENTS];
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment(perSegment);
    }
  }

  /** A limiter on the system clock holding at most {@link #DEFAULT_MAX_BUCKETS} buckets. */
  public static LocalRateLimiter create() {
    return create(Clock.systemUTC(), DEFAULT_MAX_BUCKETS);
  }

  /**
   * A limiter reading time from {@code clock} and holding at most about {@code maxBuckets} buckets
   * (rounded to a multiple of its segment count, at least one per segment).
   */
  public static LocalRateLimiter create(Clock clock, int maxBuckets) {
    requireNonNull(clock, "clock");
    if (maxBuckets < 1) {
      throw new IllegalArgumentException("maxBuckets: " + maxBuckets + " (expected: >= 1)");
    }
    return new LocalRateLimiter(clock, maxBuckets);
  }

  @Override
  public boolean answersLocally() {
    return true;
  }

  @Override
  public RateLimitDecision tryAcquire(RateLimitRule rule, String key) {
    return tryAcquire(rule, key, false);
  }

  /** As {@link #tryAcquire(RateLimitRule, String)}, marking the decision degraded if asked. */
  RateLimitDecision tryAcquire(RateLimitRule rule, String key, boolean degraded) {
    requireNonNull(rule, "rule");
    requireNonNull(key, "key");
    BucketKey bucketKey = new BucketKey(rule.name(), key);
    Segment segment = segments[Math.floorMod(spread(bucketKey.hashCode()), SEGMENTS)];
    long now = micros(clock.instant());
    TokenBucket bucket = rule.bucket();
    synchronized (segment) {
      Level level = segment.get(bucketKey);
      long units =
          level == null ? bucket.capacityUnits() : bucket.refilled(level.units, now - level.micros);
      boolean allowed = units >= bucket.unitsPerToken();
      if (allowed) {
        units -= bucket.unitsPerToken();
      }
      if (level == null) {
        segment.put(bucketKey, new Level(units, now));
      } else {
        level.units = units;
        level.micros = Math.max(level.micros, now);
      }
      return RateLimitDecision.of(rule, allowed, units, degraded);
    }
  }

  /** Buckets currently held, for tests of the bound. */
  int size() {
    int size = 0;
    for (Segment segment : segments) {
      synchronized (segment) {
        size += segment.size();
      }
    }
    return size;
  }

  private static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /** Mixes high bits into the low ones the segment index uses. */
  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }

  /**
   * A rule's bucket for one key. The rule's name is part of it because two rules on the same key
   * count separately.
   */
  private record BucketKey(String rule, String key) {}

  /** A bucket's level in units, and when it was last brought up to date (epoch microseconds). */
  private static final class Level {
    long units;
    long micros;

    Level(long units, long micros) {
      this.units = units;
      this.micros = micros;
    }
  }

  /** A least-recently-used map; only touched while its monitor is held. */
  private static final class Segment extends LinkedHashMap<BucketKey, Level> {
    private static final long serialVersionUID = 1L;
    private final int capacity;

    Segment(int capacity) {
      super(16, 0.75f, true);
      this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<BucketKey, Level> eldest) {
      return size() > capacity;
    }
  }
}
