package dev.bulwark.identity.internal.mfa;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps) through java-otp. Seeds are sealed under the
 * master key with the context {@code identity/totp/<userId>}, so a sealed seed copied to another
 * user's row does not open. A code is accepted one step either side of now (RFC 6238 §5.2), and a
 * step at or before the last one used is refused, so an observed code cannot be replayed.
 */
public final class TotpCredentials {
  static final Duration STEP = Duration.ofSeconds(30);
  private static final int SEED_BYTES = 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database database;
  private final SecretSealer sealer;
  private final Clock clock;
  private final TimeBasedOneTimePasswordGenerator generator;

  public TotpCredentials(Database database, SecretSealer sealer, Clock clock) {
    this.database = database;
    this.sealer = sealer;
    this.clock = clock;
    this.generator =
        new TimeBasedOneTimePasswordGenerator(
            STEP, 6, TimeBasedOneTimePasswordGenerator.TOTP_ALGORITHM_HMAC_SHA1);
  }

  /** A seed waiting for its first code, and the {@code otpauth://} URI for the authenticator. */
  public record Enrollment(String base32Secret, String otpauthUri) {
    @Override
    public String toString() {
      return "Enrollment[***]";
    }
  }

  /** Whether {@code userId} has a confirmed TOTP seed. */
  public boolean isEnrolled(String userId) {
    return read(userId).map(Row::confirmed).orElse(false);
  }

  /**
   * A fresh unconfirmed seed for {@code userId}, replacing any earlier unconfirmed one; empty if
   * the user already has a confirmed seed (reset it first).
   */
  public Optional<Enrollment> begin(String userId, String username, String issuerName) {
    if (isEnrolled(userId)) {
      return Optional.empty();
    }
    byte[] seed = new byte[SEED_BYTES];
    RANDOM.nextBytes(seed);
    byte[] sealed = sealer.seal(seed, context(userId));
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM totp_credentials WHERE user_id = ?")) {
            delete.setString(1, userId);
            delete.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO totp_credentials (user_id, sealed_secret, confirmed, last_step,"
                      + " created_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, userId);
            insert.setBytes(2, sealed);
            insert.setBoolean(3, false);
            insert.setLong(4, -1);
            insert.setTimestamp(5, Timestamp.from(clock.instant()));
            insert.executeUpdate();
          }
          return null;
        });
    String secret = Base32.encode(seed);
    String label = encode(issuerName) + ":" + encode(username);
    String uri =
        "otpauth://totp/"
            + label
            + "?secret="
            + secret
            + "&issuer="
            + encode(issuerName)
            + "&algorithm=SHA1&digits=6&period=30";
    return Optional.of(new Enrollment(secret, uri));
  }

  /** Confirms the pending seed with a first valid code; false if there is none or it is wrong. */
  public boolean confirm(String userId, String code) {
    Optional<Row> row = read(userId);
    if (row.isEmpty() || row.get().confirmed()) {
      return false;
    }
    return accept(userId, row.get(), code, true);
  }

  /** Checks a code of the confirmed seed; a code's time step counts once. */
  public boolean verify(String userId, String code) {
    Optional<Row> row = read(userId);
    if (row.isEmpty() || !row.get().confirmed()) {
      return false;
    }
    return accept(userId, row.get(), code, false);
  }

  /** Removes the user's seed, confirmed or not. */
  public void remove(String userId) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM totp_credentials WHERE user_id = ?")) {
            delete.setString(1, userId);
            delete.executeUpdate();
          }
          return null;
        });
  }

  private boolean accept(String userId, Row row, String code, boolean confirming) {
    String digits = code.replaceAll("\\s", "");
    if (!digits.matches("[0-9]{6}")) {
      return false;
    }
    byte[] seed = sealer.open(row.sealed(), context(userId));
    SecretKeySpec key = new SecretKeySpec(seed, "HmacSHA1");
    long now = clock.instant().getEpochSecond() / STEP.getSeconds();
    long matched = -1;
    try {
      // Compare every candidate, so the time taken does not say which step matched.
      for (long step = now - 1; step <= now + 1; step++) {
        String expected =
            generator.generateOneTimePasswordString(
                key, Instant.ofEpochSecond(step * STEP.getSeconds()), java.util.Locale.ROOT);
        if (MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            digits.getBytes(StandardCharsets.US_ASCII))) {
          matched = step;
        }
      }
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("the TOTP seed is not an HMAC key", e);
    } finally {
      java.util.Arrays.fill(seed, (byte) 0);
    }
    if (matched < 0) {
      return false;
    }
    long step = matched;
    // Conditional update: of two concurrent uses of one code, only one moves last_step.
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE totp_credentials SET last_step = ?, confirmed = ? WHERE user_id = ?"
                      + " AND last_step < ? AND confirmed = ?")) {
            update.setLong(1, step);
            update.setBoolean(2, true);
            update.setString(3, userId);
            update.setLong(4, step);
            update.setBoolean(5, !confirming);
            return update.executeUpdate() == 1;
          }
        });
  }

  private record Row(byte[] sealed, boolean confirmed, long lastStep) {}

  private Optional<Row> read(String userId) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT sealed_secret, confirmed, last_step FROM totp_credentials"
                      + " WHERE user_id = ?")) {
            select.setString(1, userId);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next()
                  ? Optional.of(new Row(rows.getBytes(1), rows.getBoolean(2), rows.getLong(3)))
                  : Optional.<Row>empty();
            }
          }
        });
  }

  private static String context(String userId) {
    return "identity/totp/" + userId;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
