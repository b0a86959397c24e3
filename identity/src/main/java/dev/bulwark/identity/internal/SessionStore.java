package dev.bulwark.identity.internal;

import dev.bulwark.runtime.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sign-in sessions. The browser holds {@code sid.secret} in a cookie; the store keeps only the
 * secret's hash, so the {@code sid} can appear in ID tokens and logs without letting anyone resume
 * the session.
 */
public final class SessionStore {
  private static final String COLUMNS =
      "session_id, user_id, auth_time, amr, acr, created_at, expires_at, revoked_at,"
          + " source_address";
  private static final String SELECT_BY_ID =
      "SELECT " + COLUMNS + " FROM sessions WHERE session_id = ?";
  private static final String SELECT_BY_USER =
      "SELECT " + COLUMNS + " FROM sessions WHERE user_id = ? ORDER BY created_at DESC";
  private static final String REVOKE_BY_ID =
      "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND session_id = ?";
  private static final String REVOKE_BY_USER =
      "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = ?";

  private final Database database;
  private final Clock clock;

  public SessionStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** A new session and the cookie value that resumes it. */
  public record Started(UserSession session, String cookieValue) {
    @Override
    public String toString() {
      return "Started[" + session + "]";
    }
  }

  public Started start(
      String userId, List<String> amr, String acr, Duration lifetime, String sourceAddress) {
    Instant now = clock.instant();
    String sessionId = UUID.randomUUID().toString();
    String secret = Tokens.random();
    UserSession session =
        new UserSession(
            sessionId,
            userId,
            now,
            amr,
            acr,
            now,
            now.plus(lifetime),
            Optional.empty(),
            sourceAddress);
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO sessions ("
                      + COLUMNS
                      + ", secret_hash)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, sessionId);
            insert.setString(2, userId);
            insert.setTimestamp(3, Timestamp.from(now));
            insert.setString(4, String.join(" ", amr));
            insert.setString(5, acr);
            insert.setTimestamp(6, Timestamp.from(now));
            insert.setTimestamp(7, Timestamp.from(session.expiresAt()));
            insert.setTimestamp(8, null);
            insert.setString(9, sourceAddress);
            insert.setString(10, Tokens.hash(secret));
            insert.executeUpdate();
          }
          return null;
        });
    return new Started(session, sessionId + "." + secret);
  }

  /** The active session a cookie value resumes, if any. */
  public Optional<UserSession> resume(String cookieValue) {
    int dot = cookieValue.indexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    String sessionId = cookieValue.substring(0, dot);
    String hash = Tokens.hash(cookieValue.substring(dot + 1));
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT " + COLUMNS + ", secret_hash FROM sessions WHERE session_id = ?")) {
            select.setString(1, sessionId);
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next() || !Tokens.sameHash(rows.getString(10), hash)) {
                return Optional.<UserSession>empty();
              }
              UserSession session = session(rows);
              return session.isActive(now) ? Optional.of(session) : Optional.<UserSession>empty();
            }
          }
        });
  }

  public Optional<UserSession> byId(String sessionId) {
    return database.inTransaction(
        connection -> {
          List<UserSession> found = select(connection, SELECT_BY_ID, sessionId);
          return found.stream().findFirst();
        });
  }

  /** A user's sessions, newest first, ended ones included. */
  public List<UserSession> forUser(String userId) {
    return database.inTransaction(connection -> select(connection, SELECT_BY_USER, userId));
  }

  /** Records a further authentication (step-up): new methods, level and {@code auth_time}. */
  public UserSession reauthenticated(String sessionId, List<String> amr, String acr) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE sessions SET amr = ?, acr = ?, auth_time = ? WHERE session_id = ?")) {
            update.setString(1, String.join(" ", amr));
            update.setString(2, acr);
            update.setTimestamp(3, Timestamp.from(clock.instant()));
            update.setString(4, sessionId);
            update.executeUpdate();
          }
          return null;
        });
    return byId(sessionId).orElseThrow();
  }

  /** Ends a session; returns whether it was active. */
  public boolean revoke(String sessionId) {
    return end(REVOKE_BY_ID, sessionId) > 0;
  }

  /** Ends every session of a user; returns how many were active. */
  public int revokeAll(String userId) {
    return end(REVOKE_BY_USER, userId);
  }

  private int end(String sql, String value) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(sql)) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setString(2, value);
            return update.executeUpdate();
          }
        });
  }

  private static List<UserSession> select(Connection connection, String sql, String value)
      throws SQLException {
    List<UserSession> sessions = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, value);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          sessions.add(session(rows));
        }
      }
    }
    return sessions;
  }

  private static UserSession session(ResultSet rows) throws SQLException {
    Timestamp revoked = rows.getTimestamp(8);
    return new UserSession(
        rows.getString(1),
        rows.getString(2),
        rows.getTimestamp(3).toInstant(),
        split(rows.getString(4)),
        rows.getString(5),
        rows.getTimestamp(6).toInstant(),
        rows.getTimestamp(7).toInstant(),
        Optional.ofNullable(revoked).map(Timestamp::toInstant),
        rows.getString(9));
  }

  static List<String> split(String spaceSeparated) {
    return spaceSeparated.isBlank() ? List.of() : Arrays.asList(spaceSeparated.split(" "));
  }
}
