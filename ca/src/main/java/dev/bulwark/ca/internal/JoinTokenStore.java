package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.CaException;
import dev.bulwark.ca.JoinToken;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.workload.SpiffeId;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Join tokens: 256 random bits each, stored only as their SHA-256 (with that much entropy a fast
 * hash cannot be brute-forced), and redeemed at most once.
 */
public final class JoinTokenStore {
  private static final String PREFIX = "bwjt_";
  private static final int MAX_TOKEN_LENGTH = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database database;
  private final Clock clock;

  public JoinTokenStore(Database database, Clock clock) {
    this.database = requireNonNull(database, "database");
    this.clock = requireNonNull(clock, "clock");
  }

  /** A new token for {@code names}, valid for {@code ttl}. */
  public JoinToken create(SvidNames names, Duration ttl) {
    requireNonNull(names, "names");
    requireNonNull(ttl, "ttl");
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant();
    Instant expiresAt = now.plus(ttl);
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO join_tokens (token_hash, spiffe_id, dns_names, ip_addresses,"
                      + " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, hash(token));
            insert.setString(2, names.id().toString());
            insert.setString(3, String.join(" ", names.dnsNames()));
            insert.setString(
                4,
                String.join(
                    " ", names.addresses().stream().map(InetAddress::getHostAddress).toList()));
            insert.setObject(5, utc(now));
            insert.setObject(6, utc(expiresAt));
            insert.executeUpdate();
          }
          return null;
        });
    return new JoinToken(token, names.id(), expiresAt);
  }

  /**
   * Redeems {@code token}: marks it used and returns what it was created for. Single use is decided
   * by one conditional UPDATE, so of two concurrent redeemers exactly one wins.
   *
   * @throws CaException {@code ATTESTATION_FAILED} saying whether the token is unknown, used or
   *     expired
   */
  public SvidNames redeem(String token) {
    requireNonNull(token, "token");
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw refused("the join token is unknown");
    }
    String hash = hash(token);
    Instant now = clock.instant();
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE join_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
                      + " AND expires_at > ?")) {
            update.setObject(1, utc(now));
            update.setString(2, hash);
            update.setObject(3, utc(now));
            if (update.executeUpdate() != 1) {
              throw refused(whyNot(connection, hash));
            }
          }
          return registration(connection, hash);
        });
  }

  private static SvidNames registration(Connection connection, String hash) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT spiffe_id, dns_names, ip_addresses FROM join_tokens WHERE token_hash = ?")) {
      select.setString(1, hash);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new SQLException("a join token redeemed a moment ago is gone");
        }
        List<InetAddress> addresses =
            split(row.getString(3)).stream().map(InetAddress::ofLiteral).toList();
        return new SvidNames(SpiffeId.parse(row.getString(1)), split(row.getString(2)), addresses);
      }
    }
  }

  private String whyNot(Connection connection, String hash) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT used_at, expires_at FROM join_tokens WHERE token_hash = ?")) {
      select.setString(1, hash);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return "the join token is unknown";
        }
        OffsetDateTime usedAt = row.getObject(1, OffsetDateTime.class);
        if (usedAt != null) {
          return "the join token was already used at " + usedAt.toInstant();
        }
        return "the join token expired at " + row.getObject(2, OffsetDateTime.class).toInstant();
      }
    }
  }

  private static CaException refused(String reason) {
    return new CaException(CaException.Code.ATTESTATION_FAILED, reason);
  }

  private static List<String> split(String spaceSeparated) {
    return spaceSeparated.isBlank() ? List.of() : Arrays.asList(spaceSeparated.split(" "));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
