package dev.bulwark.identity.internal.login;

import dev.bulwark.identity.internal.Tokens;
import dev.bulwark.runtime.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Authorization requests waiting for the browser to sign in. The request id travels in a hidden
 * field with a CSRF token; the token is stored only as its hash, requests expire after {@link
 * #LIFETIME} and are consumed by the code they end in.
 */
final class PendingLogins {
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private final Database database;
  private final Clock clock;

  PendingLogins(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * A waiting request.
   *
   * @param stepUpSession the session that needs only a second factor, if this is a step-up
   * @param userId whose password was already verified (or the step-up session's user)
   */
  record Pending(
      String requestId,
      String csrfHash,
      AuthorizationRequest request,
      Optional<String> stepUpSession,
      Optional<String> userId) {
    boolean csrfMatches(Optional<String> token) {
      return token.isPresent() && Tokens.sameHash(csrfHash, Tokens.hash(token.get()));
    }
  }

  /** A new pending request; returns it and the CSRF token to put in its forms. */
  record Created(Pending pending, String csrfToken) {
    @Override
    public String toString() {
      return "Created[" + pending.requestId() + "]";
    }
  }

  Created create(
      AuthorizationRequest request, Optional<String> stepUpSession, Optional<String> userId) {
    String requestId = Tokens.random();
    String csrf = Tokens.random();
    Instant now = clock.instant();
    database.inTransaction(
        connection -> {
          // Requests left unfinished go once they have expired for a day.
          try (PreparedStatement purge =
              connection.prepareStatement("DELETE FROM login_requests WHERE expires_at < ?")) {
            purge.setTimestamp(1, Timestamp.from(now.minus(Duration.ofDays(1))));
            purge.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO login_requests (request_id, csrf_hash, request_form,"
                      + " step_up_session, user_id, created_at, expires_at) VALUES"
                      + " (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, Tokens.hash(requestId));
            insert.setString(2, Tokens.hash(csrf));
            insert.setString(3, request.encode());
            insert.setString(4, stepUpSession.orElse(null));
            insert.setString(5, userId.orElse(null));
            insert.setTimestamp(6, Timestamp.from(now));
            insert.setTimestamp(7, Timestamp.from(now.plus(LIFETIME)));
            insert.executeUpdate();
          }
          return null;
        });
    return new Created(
        new Pending(requestId, Tokens.hash(csrf), request, stepUpSession, userId), csrf);
  }

  /** The unexpired, unconsumed request {@code requestId}. */
  Optional<Pending> find(String requestId) {
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT csrf_hash, request_form, step_up_session, user_id FROM login_requests"
                      + " WHERE request_id = ? AND consumed_at IS NULL AND expires_at > ?")) {
            select.setString(1, Tokens.hash(requestId));
            select.setTimestamp(2, Timestamp.from(now));
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next()) {
                return Optional.<Pending>empty();
              }
              return Optional.of(
                  new Pending(
                      requestId,
                      rows.getString(1),
                      AuthorizationRequest.decode(rows.getString(2)),
                      Optional.ofNullable(rows.getString(3)),
                      Optional.ofNullable(rows.getString(4))));
            }
          }
        });
  }

  /** Records that {@code userId}'s password was verified; the second factor comes next. */
  void passwordVerified(String requestId, String userId) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE login_requests SET user_id = ? WHERE request_id = ?")) {
            update.setString(1, userId);
            update.setString(2, Tokens.hash(requestId));
            update.executeUpdate();
          }
          return null;
        });
  }

  /** Marks the request used; false if it already was (two tabs, a replayed form). */
  boolean consume(String requestId) {
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE login_requests SET consumed_at = ? WHERE request_id = ?"
                      + " AND consumed_at IS NULL AND expires_at > ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, Tokens.hash(requestId));
            update.setTimestamp(3, Timestamp.from(now));
            return update.executeUpdate() == 1;
          }
        });
  }
}
