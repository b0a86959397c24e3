package dev.bulwark.identity.internal.login;

import dev.bulwark.runtime.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Counts failed sign-ins per key (an account, a source address). After the n-th failure, attempts
 * are refused until {@code 2^(n-3)} seconds have passed (n ≥ 3), and after {@code threshold}
 * failures the key is locked for {@code lockoutDuration}; a success clears the account's count
 * (never the address's, or one good account would unlock guessing at others).
 */
final class SignInThrottle {
  private final Database database;
  private final Clock clock;
  private final int threshold;
  private final Duration lockoutDuration;

  SignInThrottle(Database database, Clock clock, int threshold, Duration lockoutDuration) {
    this.database = database;
    this.clock = clock;
    this.threshold = threshold;
    this.lockoutDuration = lockoutDuration;
  }

  static String accountKey(String username) {
    return "user:" + username.toLowerCase(java.util.Locale.ROOT);
  }

  static String addressKey(String address) {
    return "addr:" + address;
  }

  /** Why {@code key} may not try now, if it may not. */
  Optional<String> refusal(String key) {
    Instant now = clock.instant();
    Optional<Row> row = read(key);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Row r = row.get();
    if (r.lockedUntil().isPresent()) {
      return now.isBefore(r.lockedUntil().get())
          ? Optional.of("locked out until " + r.lockedUntil().get())
          : Optional.empty();
    }
    Duration delay = delayAfter(r.failures());
    return now.isBefore(r.lastFailureAt().plus(delay))
        ? Optional.of("too soon after " + r.failures() + " failures (wait " + delay + ")")
        : Optional.empty();
  }

  /** Counts a failure; returns whether this failure locked {@code key}. */
  boolean fail(String key) {
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          // Counts nobody added to for a day, and not locked, are forgotten.
          try (PreparedStatement purge =
              connection.prepareStatement(
                  "DELETE FROM sign_in_failures WHERE last_failure_at < ?"
                      + " AND (locked_until IS NULL OR locked_until < ?)")) {
            purge.setTimestamp(1, Timestamp.from(now.minus(Duration.ofDays(1))));
            purge.setTimestamp(2, Timestamp.from(now));
            purge.executeUpdate();
          }
          int failures = 0;
          boolean exists = false;
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT failures, locked_until FROM sign_in_failures WHERE throttle_key = ?"
                      + " FOR UPDATE")) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
              if (rows.next()) {
                exists = true;
                Timestamp locked = rows.getTimestamp(2);
                // A lockout that has run out starts the count afresh.
                failures = locked != null && !now.isBefore(locked.toInstant()) ? 0 : rows.getInt(1);
              }
            }
          }
          failures++;
          boolean locks = failures >= threshold;
          try (PreparedStatement write =
              connection.prepareStatement(
                  exists
                      ? "UPDATE sign_in_failures SET failures = ?, last_failure_at = ?,"
                          + " locked_until = ? WHERE throttle_key = ?"
                      : "INSERT INTO sign_in_failures (failures, last_failure_at, locked_until,"
                          + " throttle_key) VALUES (?, ?, ?, ?)")) {
            write.setInt(1, failures);
            write.setTimestamp(2, Timestamp.from(now));
            write.setTimestamp(3, locks ? Timestamp.from(now.plus(lockoutDuration)) : null);
            write.setString(4, key);
            write.executeUpdate();
          }
          return locks;
        });
  }

  /** Forgets {@code key}'s failures after a successful sign-in. */
  void succeed(String key) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM sign_in_failures WHERE throttle_key = ?")) {
            delete.setString(1, key);
            delete.executeUpdate();
          }
          return null;
        });
  }

  // 2^(n-3) seconds after the n-th failure, from the third on; capped so the shift cannot overflow.
  static Duration delayAfter(int failures) {
    return failures < 3 ? Duration.ZERO : Duration.ofSeconds(1L << Math.min(failures - 3, 20));
  }

  private record Row(int failures, Instant lastFailureAt, Optional<Instant> lockedUntil) {}

  private Optional<Row> read(String key) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT failures, last_failure_at, locked_until FROM sign_in_failures"
                      + " WHERE throttle_key = ?")) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next()) {
                return Optional.<Row>empty();
              }
              Timestamp locked = rows.getTimestamp(3);
              return Optional.of(
                  new Row(
                      rows.getInt(1),
                      rows.getTimestamp(2).toInstant(),
                      Optional.ofNullable(locked).map(Timestamp::toInstant)));
            }
          }
        });
  }
}
