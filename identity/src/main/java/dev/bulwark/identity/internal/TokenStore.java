package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.StorageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the token endpoint has issued: every access token by its {@code jti} (the revocation list,
 * and the claims of opaque tokens), refresh-token families with rotation, and the {@code jti}s of
 * client assertions already seen. Bearer values are stored only as their SHA-256 ({@link Tokens}).
 */
public final class TokenStore {
  private static final String ACCESS_COLUMNS =
      "jti, client_id, subject, family_id, code_hash, claims_json, issued_at, expires_at,"
          + " revoked_at";
  private static final String ACCESS_BY_JTI =
      "SELECT " + ACCESS_COLUMNS + " FROM access_tokens WHERE jti = ?";
  private static final String ACCESS_BY_HASH =
      "SELECT " + ACCESS_COLUMNS + " FROM access_tokens WHERE token_hash = ?";
  private static final String REFRESH_COLUMNS =
      "token_hash, family_id, client_id, user_id, session_id, code_hash, scopes, audiences,"
          + " auth_time, amr, acr, issued_at, family_expires_at, used_at, revoked_at";

  private final Database database;
  private final Clock clock;

  public TokenStore(Database database, Clock clock) {
    this.database = requireNonNull(database, "database");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * An access token as recorded at issue.
   *
   * @param jti its id
   * @param clientId the client it was issued to
   * @param subject its {@code sub}
   * @param familyId the refresh-token family it was issued in, if any
   * @param codeHash the hash of the authorization code it descends from, if any
   * @param claimsJson its claims, as a JSON object
   * @param issuedAt when it was issued
   * @param expiresAt when it expires
   * @param revokedAt when it was revoked, if it was
   */
  public record AccessTokenRecord(
      String jti,
      String clientId,
      String subject,
      Optional<String> familyId,
      Optional<String> codeHash,
      String claimsJson,
      Instant issuedAt,
      Instant expiresAt,
      Optional<Instant> revokedAt) {
    public AccessTokenRecord {
      requireNonNull(jti, "jti");
      requireNonNull(clientId, "clientId");
      requireNonNull(subject, "subject");
      requireNonNull(familyId, "familyId");
      requireNonNull(codeHash, "codeHash");
      requireNonNull(claimsJson, "claimsJson");
      requireNonNull(issuedAt, "issuedAt");
      requireNonNull(expiresAt, "expiresAt");
      requireNonNull(revokedAt, "revokedAt");
    }

    /** Neither revoked nor expired at {@code now}. */
    public boolean isActive(Instant now) {
      return revokedAt.isEmpty() && now.isBefore(expiresAt);
    }
  }

  /**
   * What a refresh token stands for; every token of a family shares all but {@code issuedAt}.
   *
   * @param familyId the family: every token rotated from one sign-in's first refresh token
   * @param clientId the client it is bound to
   * @param userId the user
   * @param sessionId the sign-in session ({@code sid}); its end ends the family
   * @param codeHash the authorization code that began the family
   * @param scopes the scopes granted at sign-in (a refresh may narrow, never widen them)
   * @param audiences the access tokens' audiences
   * @param authTime when the user authenticated
   * @param amr how they authenticated
   * @param acr the level reached
   * @param familyExpiresAt when the whole family expires
   */
  public record RefreshGrant(
      String familyId,
      String clientId,
      String userId,
      String sessionId,
      Optional<String> codeHash,
      Set<String> scopes,
      List<String> audiences,
      Instant authTime,
      List<String> amr,
      String acr,
      Instant familyExpiresAt) {
    public RefreshGrant {
      requireNonNull(familyId, "familyId");
      requireNonNull(clientId, "clientId");
      requireNonNull(userId, "userId");
      requireNonNull(sessionId, "sessionId");
      requireNonNull(codeHash, "codeHash");
      scopes = Set.copyOf(scopes);
      audiences = List.copyOf(audiences);
      requireNonNull(authTime, "authTime");
      amr = List.copyOf(amr);
      requireNonNull(acr, "acr");
      requireNonNull(familyExpiresAt, "familyExpiresAt");
    }

    /** A new family's grant, with a fresh family id. */
    public static String newFamilyId() {
      return UUID.randomUUID().toString();
    }
  }

  /** A stored refresh token: its grant, and whether it was used or revoked. */
  public record RefreshRecord(
      String tokenHash,
      RefreshGrant grant,
      Instant issuedAt,
      Optional<Instant> usedAt,
      Optional<Instant> revokedAt) {
    public RefreshRecord {
      requireNonNull(tokenHash, "tokenHash");
      requireNonNull(grant, "grant");
      requireNonNull(issuedAt, "issuedAt");
      requireNonNull(usedAt, "usedAt");
      requireNonNull(revokedAt, "revokedAt");
    }

    /** Not used, not revoked, and its family not expired. */
    public boolean isActive(Instant now) {
      return usedAt.isEmpty() && revokedAt.isEmpty() && now.isBefore(grant.familyExpiresAt());
    }
  }

  /**
   * Records an access token; {@code tokenHash} is the hash of an opaque token's value, empty for a
   * JWT.
   */
  public void recordAccessToken(AccessTokenRecord token, Optional<String> tokenHash) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO access_tokens ("
                      + ACCESS_COLUMNS
                      + ", token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, token.jti());
            insert.setString(2, token.clientId());
            insert.setString(3, token.subject());
            insert.setString(4, token.familyId().orElse(null));
            insert.setString(5, token.codeHash().orElse(null));
            insert.setString(6, token.claimsJson());
            insert.setTimestamp(7, Timestamp.from(token.issuedAt()));
            insert.setTimestamp(8, Timestamp.from(token.expiresAt()));
            insert.setTimestamp(9, token.revokedAt().map(Timestamp::from).orElse(null));
            insert.setString(10, tokenHash.orElse(null));
            insert.executeUpdate();
          }
          return null;
        });
  }

  /** The access token with id {@code jti}, if one was issued. */
  public Optional<AccessTokenRecord> accessTokenByJti(String jti) {
    return accessToken(ACCESS_BY_JTI, jti);
  }

  /** The opaque access token whose value hashes to {@code tokenHash}, if one was issued. */
  public Optional<AccessTokenRecord> accessTokenByHash(String tokenHash) {
    return accessToken(ACCESS_BY_HASH, tokenHash);
  }

  private Optional<AccessTokenRecord> accessToken(String sql, String value) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, value);
            try (ResultSet rows = select.executeQuery()) {
              if (!rows.next()) {
                return Optional.<AccessTokenRecord>empty();
              }
              return Optional.of(
                  new AccessTokenRecord(
                      rows.getString(1),
                      rows.getString(2),
                      rows.getString(3),
                      Optional.ofNullable(rows.getString(4)),
                      Optional.ofNullable(rows.getString(5)),
                      rows.getString(6),
                      rows.getTimestamp(7).toInstant(),
                      rows.getTimestamp(8).toInstant(),
                      Optional.ofNullable(rows.getTimestamp(9)).map(Timestamp::toInstant)));
            }
          }
        });
  }

  /** Revokes one access token; returns whether it was not yet revoked. */
  public boolean revokeAccessToken(String jti) {
    return update(
            "UPDATE access_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND jti = ?", jti)
        > 0;
  }

  /**
   * Puts an unrecorded access token (a client-credentials JWT) on the revocation list: a row
   * revoked now, kept until {@link #purgeExpired()} removes it after its expiry. Returns false if
   * it was already there (two revocations racing: the primary key lets one in).
   */
  public boolean recordRevokedAccessToken(AccessTokenRecord token) {
    AccessTokenRecord revoked =
        new AccessTokenRecord(
            token.jti(),
            token.clientId(),
            token.subject(),
            token.familyId(),
            token.codeHash(),
            token.claimsJson(),
            token.issuedAt(),
            token.expiresAt(),
            Optional.of(clock.instant()));
    try {
      recordAccessToken(revoked, Optional.empty());
      return true;
    } catch (StorageException e) {
      if (e.getCause() instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return false;
      }
      throw e;
    }
  }

  /** Stores a new refresh token for {@code grant} and returns its value. */
  public String issueRefreshToken(RefreshGrant grant) {
    String token = Tokens.random();
    database.inTransaction(
        connection -> {
          insertRefresh(connection, Tokens.hash(token), grant);
          return null;
        });
    return token;
  }

  /** The refresh token {@code token}, used, revoked or not, if it was ever issued. */
  public Optional<RefreshRecord> refreshToken(String token) {
    String hash = Tokens.hash(token);
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT " + REFRESH_COLUMNS + " FROM refresh_tokens WHERE token_hash = ?")) {
            select.setString(1, hash);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next() ? Optional.of(refresh(rows)) : Optional.<RefreshRecord>empty();
            }
          }
        });
  }

  /**
   * Marks {@code presented} used and stores a successor in its family, in one transaction. Returns
   * the successor's value, or empty when {@code presented} was used or revoked in the meantime (a
   * concurrent reuse: the caller revokes the family).
   */
  public Optional<String> rotate(RefreshRecord presented) {
    String next = Tokens.random();
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
                      + " AND revoked_at IS NULL")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, presented.tokenHash());
            if (update.executeUpdate() == 0) {
              return Optional.<String>empty();
            }
          }
          insertRefresh(connection, Tokens.hash(next), presented.grant());
          return Optional.of(next);
        });
  }

  /**
   * Revokes a refresh-token family: every refresh token in it and every access token issued in it.
   * Returns how many tokens were revoked.
   */
  public int revokeFamily(String familyId) {
    return update(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id = ?",
            familyId)
        + update(
            "UPDATE access_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id = ?",
            familyId);
  }

  /**
   * Revokes everything issued from one authorization code: its refresh families and every access
   * token descending from it (OAuth 2.1 §4.1.3, on a replayed code). Returns how many.
   */
  public int revokeFromCode(String codeHash) {
    return update(
            "UPDATE access_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id IN"
                + " (SELECT family_id FROM refresh_tokens WHERE code_hash = ?)",
            codeHash)
        + update(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND code_hash = ?",
            codeHash)
        + update(
            "UPDATE access_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND code_hash = ?",
            codeHash);
  }

  /**
   * Records the {@code jti} of a client assertion; returns false if that client already used it (a
   * replay). Seen ids are kept until {@code expiresAt}, after which the assertion is refused for
   * its expiry anyway.
   */
  public boolean firstUseOfAssertion(String clientId, String jti, Instant expiresAt) {
    try {
      return database.inTransaction(
          connection -> {
            try (PreparedStatement select =
                connection.prepareStatement(
                    "SELECT 1 FROM client_assertion_jtis WHERE client_id = ? AND jti = ?")) {
              select.setString(1, clientId);
              select.setString(2, jti);
              try (ResultSet rows = select.executeQuery()) {
                if (rows.next()) {
                  return false;
                }
              }
            }
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES (?, ?,"
                        + " ?)")) {
              insert.setString(1, clientId);
              insert.setString(2, jti);
              insert.setTimestamp(3, Timestamp.from(expiresAt));
              insert.executeUpdate();
            }
            return true;
          });
    } catch (StorageException e) {
      // Two presentations racing: the primary key let only one in (SQLSTATE 23xxx).
      if (e.getCause() instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("23")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Deletes what can no longer be used: access tokens and refresh families expired a day ago, and
   * assertion ids past their expiry. Returns how many rows.
   */
  public int purgeExpired() {
    Instant dayAgo = clock.instant().minus(Duration.ofDays(1));
    return database.inTransaction(
        connection -> {
          int purged = 0;
          for (String sql :
              List.of(
                  "DELETE FROM access_tokens WHERE expires_at < ?",
                  "DELETE FROM refresh_tokens WHERE family_expires_at < ?",
                  "DELETE FROM client_assertion_jtis WHERE expires_at < ?")) {
            try (PreparedStatement delete = connection.prepareStatement(sql)) {
              delete.setTimestamp(1, Timestamp.from(dayAgo));
              purged += delete.executeUpdate();
            }
          }
          return purged;
        });
  }

  private int update(String sql, String value) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update = connection.prepareStatement(sql)) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setString(2, value);
            return update.executeUpdate();
          }
        });
  }

  private void insertRefresh(Connection connection, String hash, RefreshGrant grant)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO refresh_tokens ("
                + REFRESH_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, hash);
      insert.setString(2, grant.familyId());
      insert.setString(3, grant.clientId());
      insert.setString(4, grant.userId());
      insert.setString(5, grant.sessionId());
      insert.setString(6, grant.codeHash().orElse(null));
      insert.setString(7, String.join(" ", grant.scopes()));
      insert.setString(8, String.join(" ", grant.audiences()));
      insert.setTimestamp(9, Timestamp.from(grant.authTime()));
      insert.setString(10, String.join(" ", grant.amr()));
      insert.setString(11, grant.acr());
      insert.setTimestamp(12, Timestamp.from(clock.instant()));
      insert.setTimestamp(13, Timestamp.from(grant.familyExpiresAt()));
      insert.setTimestamp(14, null);
      insert.setTimestamp(15, null);
      insert.executeUpdate();
    }
  }

  private static RefreshRecord refresh(ResultSet rows) throws SQLException {
    RefreshGrant grant =
        new RefreshGrant(
            rows.getString(2),
            rows.getString(3),
            rows.getString(4),
            rows.getString(5),
            Optional.ofNullable(rows.getString(6)),
            new LinkedHashSet<>(SessionStore.split(rows.getString(7))),
            SessionStore.split(rows.getString(8)),
            rows.getTimestamp(9).toInstant(),
            SessionStore.split(rows.getString(10)),
            rows.getString(11),
            rows.getTimestamp(13).toInstant());
    return new RefreshRecord(
        rows.getString(1),
        grant,
        rows.getTimestamp(12).toInstant(),
        Optional.ofNullable(rows.getTimestamp(14)).map(Timestamp::toInstant),
        Optional.ofNullable(rows.getTimestamp(15)).map(Timestamp::toInstant));
  }
}
