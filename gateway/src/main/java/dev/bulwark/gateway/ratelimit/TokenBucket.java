package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token bucket: holds at most {@code burst} tokens, refills {@code rate} tokens every {@code
 * period}, and admits a request while it holds a whole token.
 *
 * <p>The limiters count in integer units so that the local bucket and the Redis script (whose Lua
 * numbers are doubles, exact up to 2<sup>53</sup>) agree to the unit: one token is {@link
 * #unitsPerToken()} units and each microsecond refills {@link #unitsPerMicrosecond()} units.
 *
 * @param burst the capacity, at least 1
 * @param rate tokens refilled per {@code period}, at least 1
 * @param period the refill period, at least one microsecond
 */
public record TokenBucket(long burst, long rate, Duration period) {
  /** Lua numbers are doubles: integers above this lose precision in the Redis script. */
  static final long MAX_UNITS = 1L << 53;

  private static final Pattern RATE = Pattern.compile("([0-9]{1,18})/([0-9]{1,9})?(ms|s|m|h|d)");

  public TokenBucket {
    requireNonNull(period, "period");
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    if (rate < 1) {
      throw new IllegalArgumentException("rate: " + rate + " (expected: >= 1)");
    }
    if (period.compareTo(Duration.ofNanos(1000)) < 0) {
      throw new IllegalArgumentException("period: " + period + " (expected: >= 1 microsecond)");
    }
    long micros = period.toNanos() / 1000;
    long gcd = gcd(micros, rate);
    if (micros / gcd > MAX_UNITS / burst) {
      throw new IllegalArgumentException(
          "burst: "
              + burst
              + " with rate "
              + rate
              + "/"
              + period
              + " (expected: a smaller burst or a higher rate; the bucket must fit in 2^53 units)");
    }
  }

  /**
   * A bucket from a configuration rate such as {@code 100/s}, {@code 600/m}, {@code 10/1s}, {@code
   * 5000/h} or {@code 20/10s} (units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}).
   *
   * @throws IllegalArgumentException naming the value when it is not of that form
   */
  public static TokenBucket parse(String rate, long burst) {
    requireNonNull(rate, "rate");
    Matcher m = RATE.matcher(rate.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "rate: \"" + rate + "\" (expected: <tokens>/[<count>]<unit>, e.g. 100/s, 600/m, 10/5s)");
    }
    long tokens = Long.parseLong(m.group(1));
    long count = m.group(2) == null ? 1 : Long.parseLong(m.group(2));
    Duration unit =
        switch (m.group(3)) {
          case "ms" -> Duration.ofMillis(1);
          case "s" -> Duration.ofSeconds(1);
          case "m" -> Duration.ofMinutes(1);
          case "h" -> Duration.ofHours(1);
          default -> Duration.ofDays(1);
        };
    if (tokens < 1 || count < 1) {
      throw new IllegalArgumentException(
          "rate: \"" + rate + "\" (expected: at least 1 token per at least 1 unit)");
    }
    return new TokenBucket(burst, tokens, unit.multipliedBy(count));
  }

  /** Units one token is worth. */
  long unitsPerToken() {
    long micros = periodMicros();
    return micros / gcd(micros, rate);
  }

  /** Units refilled each microsecond. */
  long unitsPerMicrosecond() {
    return rate / gcd(periodMicros(), rate);
  }

  /** The capacity in units. */
  long capacityUnits() {
    return burst * unitsPerToken();
  }

  /**
   * The level of a bucket that held {@code levelUnits} {@code elapsedMicros} ago. The Redis script
   * repeats this arithmetic; keep the two in step.
   */
  long refilled(long levelUnits, long elapsedMicros) {
    if (elapsedMicros <= 0) {
      // A clock that stepped back refills nothing rather than draining the bucket.
      return levelUnits;
    }
    long missing = capacityUnits() - levelUnits;
    if (elapsedMicros >= Math.ceilDiv(missing, unitsPerMicrosecond())) {
      return capacityUnits();
    }
    return levelUnits + elapsedMicros * unitsPerMicrosecond();
  }

  /** Seconds an empty bucket takes to refill completely: the draft's window ({@code w}). */
  long windowSeconds() {
    long micros = Math.ceilDiv(capacityUnits(), unitsPerMicrosecond());
    return Math.max(1, Math.ceilDiv(micros, 1_000_000));
  }

  private long periodMicros() {
    return period.toNanos() / 1000;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
