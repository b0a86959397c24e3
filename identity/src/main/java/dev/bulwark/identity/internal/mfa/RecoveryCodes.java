package dev.bulwark.identity.internal.mfa;

import dev.bulwark.identity.internal.Tokens;
import dev.bulwark.runtime.storage.Database;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ten single-use recovery codes per user, each 80 random bits shown as four groups of four base32
 * characters, stored only as SHA-256 hashes (80 bits cannot be searched from a hash). Issuing a new
 * set replaces the old one.
 */
public final class RecoveryCodes {
  static final int COUNT = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database database;
  private final Clock clock;

  public RecoveryCodes(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /** A new set of codes for {@code userId}, to show once. */
  public List<String> issue(String userId) {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      byte[] bytes = new byte[10];
      RANDOM.nextBytes(bytes);
      String code = Base32.encode(bytes);
      codes.add(
          String.join(
              "-",
              code.substring(0, 4),
              code.substring(4, 8),
              code.substring(8, 12),
              code.substring(12, 16)));
    }
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM recovery_codes WHERE user_id = ?")) {
            delete.setString(1, userId);
            delete.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?, ?, ?)")) {
            for (String code : codes) {
              insert.setString(1, userId);
              insert.setString(2, hash(code));
              insert.setTimestamp(3, null);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
    return List.copyOf(codes);
  }

  /** Uses one of {@code userId}'s codes; false if it is not theirs or was used before. */
  public boolean use(String userId, String code) {
    String normalized = normalize(code);
    if (!normalized.matches("[A-Z2-7]{16}")) {
      return false;
    }
    return database.inTransaction(
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ?"
                      + " AND used_at IS NULL")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            update.setString(2, userId);
            update.setString(3, Tokens.hash(normalized));
            return update.executeUpdate() == 1;
          }
        });
  }

  /** How many unused codes {@code userId} has left. */
  public int remaining(String userId) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL")) {
            select.setString(1, userId);
            try (ResultSet rows = select.executeQuery()) {
              rows.next();
              return rows.getInt(1);
            }
          }
        });
  }

  public void remove(String userId) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM recovery_codes WHERE user_id = ?")) {
            delete.setString(1, userId);
            delete.executeUpdate();
          }
          return null;
        });
  }

  private static String hash(String code) {
    return Tokens.hash(normalize(code));
  }

  private static String normalize(String code) {
    return code.toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
  }
}
