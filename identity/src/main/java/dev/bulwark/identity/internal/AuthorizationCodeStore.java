package dev.bulwark.identity.internal;

import dev.bulwark.runtime.storage.Database;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;

/**
 * Authorization codes: single use, short-lived, and stored as their hash. A code presented a second
 * time is reported as a replay, so the token endpoint can revoke what the first use issued (OAuth
 * 2.1 §4.1.3, RFC 6749 §10.5).
 */
public final class AuthorizationCodeStore {
  /** The longest a code may live (the issue's 60 s; OAuth 2.1 §4.1.2 recommends at most 10 min). */
  public static final Duration MAX_LIFETIME = Duration.ofSeconds(60);

  private final Database database;
  private final Clock clock;
  private final Duration lifetime;

  public AuthorizationCodeStore(Database database, Clock clock, Duration lifetime) {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException("code lifetime must be in (0, 60s]: " + lifetime);
    }
    this.database = database;
    this.clock = clock;
    this.lifetime = lifetime;
  }

  /** The outcome of presenting a code. */
  public sealed interface Redemption {
    /** The first, timely presentation of a code, by the client it was issued to. */
    record Redeemed(String codeHash, CodeGrant grant) implements Redemption {}

    /** A code already redeemed: whatever its first redemption issued should be revoked. */
    record Replayed(String codeHash, CodeGrant grant) implements Redemption {}

    /** Unknown, expired, or issued to another client. */
    record Invalid(String reason) implements Redemption {}
  }

  /** Stores {@code grant} and returns the code, which is kept only as its hash. */
  public String issue(CodeGrant grant) {
    String code = Tokens.random();
    Instant now = clock.instant();
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO authorization_codes (code_hash, client_id, user_id, session_id,"
                      + " redirect_uri, code_challenge, scopes, audiences, nonce, auth_time, amr,"
                      + " acr, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                      + " ?, ?)")) {
            insert.setString(1, Tokens.hash(code));
            insert.setString(2, grant.clientId());
            insert.setString(3, grant.userId());
            insert.setString(4, grant.sessionId());
            insert.setString(5, grant.redirectUri().toString());
            insert.setString(6, grant.codeChallenge());
            insert.setString(7, String.join(" ", grant.scopes()));
            insert.setString(8, String.join(" ", grant.audiences()));
            insert.setString(9, grant.nonce().orElse(null));
            insert.setTimestamp(10, Timestamp.from(grant.authTime()));
            insert.setString(11, String.join(" ", grant.amr()));
            insert.setString(12, grant.acr());
            insert.setTimestamp(13, Timestamp.from(now));
            insert.setTimestamp(14, Timestamp.from(now.plus(lifetime)));
            insert.executeUpdate();
          }
          return null;
        });
    return code;
  }

  /**
   * Presents {@code code} on behalf of {@code clientId}. Marking it used and reading it happen in
   * one transaction, so two concurrent presentations cannot both redeem it.
   */
  public Redemption redeem(String code, String clientId) {
    String hash = Tokens.hash(code);
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          Optional<Row> row;
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT client_id, user_id, session_id, redirect_uri, code_challenge, scopes,"
                      + " audiences, nonce, auth_time, amr, acr, expires_at, redeemed_at"
                      + " FROM authorization_codes WHERE code_hash = ? FOR UPDATE")) {
            select.setString(1, hash);
            try (ResultSet rows = select.executeQuery()) {
              row =
                  rows.next()
                      ? Optional.of(
                          new Row(
                              new CodeGrant(
                                  rows.getString(1),
                                  rows.getString(2),
                                  rows.getString(3),
                                  URI.create(rows.getString(4)),
                                  rows.getString(5),
                                  new LinkedHashSet<>(SessionStore.split(rows.getString(6))),
                                  SessionStore.split(rows.getString(7)),
                                  Optional.ofNullable(rows.getString(8)),
                                  rows.getTimestamp(9).toInstant(),
                                  SessionStore.split(rows.getString(10)),
                                  rows.getString(11)),
                              rows.getTimestamp(12).toInstant(),
                              rows.getTimestamp(13) != null))
                      : Optional.empty();
            }
          }
          if (row.isEmpty()) {
            return new Redemption.Invalid("the code is unknown");
          }
          if (row.get().redeemed()) {
            return new Redemption.Replayed(hash, row.get().grant());
          }
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE authorization_codes SET redeemed_at = ? WHERE code_hash = ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, hash);
            update.executeUpdate();
          }
          if (!row.get().grant().clientId().equals(clientId)) {
            return new Redemption.Invalid("the code was issued to another client");
          }
          if (!now.isBefore(row.get().expiresAt())) {
            return new Redemption.Invalid("the code has expired");
          }
          return new Redemption.Redeemed(hash, row.get().grant());
        });
  }

  /** Deletes codes that expired more than a day ago; returns how many. */
  public int purgeExpired() {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM authorization_codes WHERE expires_at < ?")) {
            delete.setTimestamp(1, Timestamp.from(clock.instant().minus(Duration.ofDays(1))));
            return delete.executeUpdate();
          }
        });
  }

  private record Row(CodeGrant grant, Instant expiresAt, boolean redeemed) {}
}
