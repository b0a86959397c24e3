package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Cedar's {@code datetime}: an instant, held as milliseconds since the Unix epoch (leap seconds not
 * counted).
 *
 * @param epochMillis milliseconds since 1970-01-01T00:00:00Z
 */
public record Datetime(long epochMillis) implements ExtensionValue, Comparable<Datetime> {
  private static final long MILLIS_PER_DAY = Duration.MILLIS_PER_DAY;

  /** The largest offset Cedar accepts, 23:59, in milliseconds. */
  private static final long MAX_OFFSET_MILLIS = (23 * 60 + 59) * Duration.MILLIS_PER_MINUTE;

  /** 0000-01-01T00:00:00.000Z, the first instant a UTC datetime string can name. */
  private static final long FIRST_UTC = LocalDate.of(0, 1, 1).toEpochDay() * MILLIS_PER_DAY;

  /** 9999-12-31T23:59:59.999Z, the last instant a UTC datetime string can name. */
  private static final long LAST_UTC =
      (LocalDate.of(9999, 12, 31).toEpochDay() + 1) * MILLIS_PER_DAY - 1;

  private static final String FORMATS =
      "YYYY-MM-DD, YYYY-MM-DDThh:mm:ssZ, YYYY-MM-DDThh:mm:ss.SSSZ, YYYY-MM-DDThh:mm:ss(+|-)hhmm or"
          + " YYYY-MM-DDThh:mm:ss.SSS(+|-)hhmm";

  /**
   * Parses Cedar's datetime syntax ({@code 2024-10-15}, {@code 2024-10-15T11:35:00Z}, with optional
   * {@code .SSS} and {@code ±hhmm} offset), normalising the offset away.
   *
   * <p>As in Cedar's reference implementation the year is 0000 to 9999 of the proleptic Gregorian
   * calendar, hours are below 24, minutes and seconds below 60 (no leap second {@code :60}), and an
   * offset's hours below 24 and minutes below 60 (Cedar reference, "Operators and functions:
   * datetime").
   *
   * @throws IllegalArgumentException if the text is malformed or out of range
   */
  public static Datetime parse(String text) {
    requireNonNull(text, "text");
    if (!matches(text, 0, "dddd-dd-dd")) {
      throw malformed(text, "YYYY-MM-DD at the start");
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 2);
    int day = number(text, 8, 2);
    if (text.length() == 10) {
      return new Datetime(epochDay(text, year, month, day) * MILLIS_PER_DAY);
    }
    if (!matches(text, 10, "Tdd:dd:dd")) {
      throw malformed(text, "Thh:mm:ss after the date");
    }
    int hour = number(text, 11, 2);
    int minute = number(text, 14, 2);
    int second = number(text, 17, 2);
    int pos = 19;
    int millis = 0;
    if (matches(text, pos, ".ddd")) {
      millis = number(text, pos + 1, 3);
      pos += 4;
    }
    boolean utc = text.length() == pos + 1 && text.charAt(pos) == 'Z';
    if (!utc
        && !(text.length() == pos + 5
            && (text.charAt(pos) == '+' || text.charAt(pos) == '-')
            && matches(text, pos + 1, "dddd"))) {
      throw malformed(text, "Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm after the time");
    }
    // Checked in Cedar's order: the syntax first, then date, time and offset ranges.
    long days = epochDay(text, year, month, day);
    if (hour >= 24 || minute >= 60 || second >= 60) {
      throw new IllegalArgumentException(
          "datetime: "
              + CedarText.quote(text)
              + " has time "
              + text.substring(11, 19)
              + " (expected: hours below 24, minutes and seconds below 60)");
    }
    long offsetMillis = utc ? 0 : offsetMillis(text, pos);
    return new Datetime(
        days * MILLIS_PER_DAY
            + hour * Duration.MILLIS_PER_HOUR
            + minute * Duration.MILLIS_PER_MINUTE
            + second * Duration.MILLIS_PER_SECOND
            + millis
            - offsetMillis);
  }

  /** The {@code (+|-)hhmm} offset at {@code pos}, checked to be less than a day. */
  private static long offsetMillis(String text, int pos) {
    int hours = number(text, pos + 1, 2);
    int minutes = number(text, pos + 3, 2);
    if (hours >= 24 || minutes >= 60) {
      throw new IllegalArgumentException(
          "datetime: "
              + CedarText.quote(text)
              + " has offset "
              + text.substring(pos)
              + " (expected: hours below 24 and minutes below 60)");
    }
    long magnitude = hours * Duration.MILLIS_PER_HOUR + minutes * Duration.MILLIS_PER_MINUTE;
    return text.charAt(pos) == '+' ? magnitude : -magnitude;
  }

  /** Whether {@code text} holds {@code pattern} at {@code from}, {@code d} standing for a digit. */
  private static boolean matches(String text, int from, String pattern) {
    if (text.length() < from + pattern.length()) {
      return false;
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = text.charAt(from + i);
      char p = pattern.charAt(i);
      boolean ok = p == 'd' ? c >= '0' && c <= '9' : c == p;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int number(String text, int from, int length) {
    return Integer.parseInt(text, from, from + length, 10);
  }

  private static long epochDay(String text, int year, int month, int day) {
    try {
      return LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "datetime: "
              + CedarText.quote(text)
              + " has date "
              + text.substring(0, 10)
              + " (expected: a calendar date)",
          e);
    }
  }

  private static IllegalArgumentException malformed(String text, String expected) {
    return new IllegalArgumentException(
        "datetime: "
            + CedarText.quote(text)
            + " (expected: "
            + expected
            + "; the formats are "
            + FORMATS
            + ")");
  }

  /**
   * This instant moved by {@code duration} (Cedar's {@code offset}).
   *
   * @throws ArithmeticException if the result does not fit 64 bits of milliseconds
   */
  public Datetime offset(Duration duration) {
    requireNonNull(duration, "duration");
    return new Datetime(Math.addExact(epochMillis, duration.millis()));
  }

  /**
   * The time from {@code other} to this instant, negative if {@code other} is later (Cedar's {@code
   * durationSince}).
   *
   * @throws ArithmeticException if the difference does not fit 64 bits of milliseconds
   */
  public Duration durationSince(Datetime other) {
    requireNonNull(other, "other");
    return new Duration(Math.subtractExact(epochMillis, other.epochMillis));
  }

  /**
   * Midnight UTC of this instant's day (Cedar's {@code toDate}); before the epoch that is the
   * midnight at or before the instant, never the one after.
   *
   * @throws ArithmeticException if that midnight lies before the earliest representable instant
   */
  public Datetime toDate() {
    return new Datetime(
        Math.subtractExact(epochMillis, Math.floorMod(epochMillis, MILLIS_PER_DAY)));
  }

  /**
   * The time elapsed since {@link #toDate()}, from zero to just under a day (Cedar's {@code
   * toTime}).
   */
  public Duration toTime() {
    return new Duration(Math.floorMod(epochMillis, MILLIS_PER_DAY));
  }

  /** Orders by instant, earlier first. */
  @Override
  public int compareTo(Datetime o) {
    return Long.compare(epochMillis, o.epochMillis);
  }

  @Override
  public String constructorName() {
    return "datetime";
  }

  /**
   * Whether {@link #argument()} can name this instant, i.e. it lies within what {@link #parse}
   * reaches.
   */
  public boolean hasArgument() {
    return epochMillis >= FIRST_UTC - MAX_OFFSET_MILLIS
        && epochMillis <= LAST_UTC + MAX_OFFSET_MILLIS;
  }

  /**
   * A string {@link #parse} reads back to this instant: {@code 2024-10-15} at midnight UTC, else
   * {@code 2024-10-15T11:35:00.000Z}; within a day outside years 0000-9999 it uses an offset of
   * {@code +2359} or {@code -2359}, the only way Cedar's syntax reaches there.
   *
   * @throws IllegalStateException if no datetime string names this instant (see {@link
   *     #hasArgument()}); Cedar writes such values as {@code
   *     datetime("1970-01-01").offset(duration("…ms"))}, which {@link #toString()} does
   */
  @Override
  public String argument() {
    if (epochMillis >= FIRST_UTC && epochMillis <= LAST_UTC) {
      if (Math.floorMod(epochMillis, MILLIS_PER_DAY) == 0) {
        return LocalDate.ofEpochDay(epochMillis / MILLIS_PER_DAY).toString();
      }
      return local(epochMillis) + "Z";
    }
    if (epochMillis < FIRST_UTC && epochMillis >= FIRST_UTC - MAX_OFFSET_MILLIS) {
      return local(epochMillis + MAX_OFFSET_MILLIS) + "+2359";
    }
    if (epochMillis > LAST_UTC && epochMillis <= LAST_UTC + MAX_OFFSET_MILLIS) {
      return local(epochMillis - MAX_OFFSET_MILLIS) + "-2359";
    }
    throw new IllegalStateException(
        "datetime: "
            + epochMillis
            + "ms since the epoch (expected: an instant between years 0000 and 9999 to write as a"
            + " datetime string)");
  }

  private static String local(long millis) {
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(millis, 1000L),
            (int) Math.floorMod(millis, 1000L) * 1_000_000,
            ZoneOffset.UTC);
    return String.format(
        Locale.ROOT,
        "%04d-%02d-%02dT%02d:%02d:%02d.%03d",
        t.getYear(),
        t.getMonthValue(),
        t.getDayOfMonth(),
        t.getHour(),
        t.getMinute(),
        t.getSecond(),
        t.getNano() / 1_000_000);
  }

  @Override
  public String typeName() {
    return "datetime";
  }

  /**
   * The value as Cedar writes it: {@code datetime("2024-10-15")}, or Cedar's canonical {@code
   * datetime("1970-01-01").offset(duration("…ms"))} when no datetime string names it.
   */
  @Override
  public String toString() {
    if (hasArgument()) {
      return constructorName() + "(" + CedarText.quote(argument()) + ")";
    }
    return "datetime(\"1970-01-01\").offset(" + new Duration(epochMillis) + ")";
  }
}
