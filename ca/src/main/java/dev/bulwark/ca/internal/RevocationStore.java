package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.SpiffeId;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

/**
 * Revoked SPIFFE IDs and certificate serials, from which the deny list is made. Each revocation
 * gets the next sequence number; revocations take the version row's lock first, so they are
 * serialised and a reader never sees number N without every number before it.
 */
public final class RevocationStore {
  private static final int MAX_REASON = 500;

  private final Database database;

  public RevocationStore(Database database) {
    this.database = requireNonNull(database, "database");
  }

  /**
   * Revokes {@code target} and returns the deny list after it. Revoking what is already revoked
   * changes nothing, not even the sequence.
   */
  public DenyList revoke(Target target, String reason, String revokedBy, Instant at) {
    requireNonNull(target, "target");
    requireNonNull(reason, "reason");
    requireNonNull(revokedBy, "revokedBy");
    requireNonNull(at, "at");
    String shortReason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    return database.inTransaction(
        connection -> {
          long sequence = lockVersion(connection);
          if (!isRevoked(connection, target)) {
            sequence++;
            try (PreparedStatement update =
                connection.prepareStatement(
                    "UPDATE deny_list_version SET sequence = ? WHERE id = 1")) {
              update.setLong(1, sequence);
              update.executeUpdate();
            }
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO revocations (sequence, spiffe_id, serial, reason, revoked_by,"
                        + " revoked_at) VALUES (?, ?, ?, ?, ?, ?)")) {
              insert.setLong(1, sequence);
              insert.setString(2, target instanceof Target.Identity i ? i.id().toString() : null);
              insert.setString(3, target instanceof Target.Serial s ? hex(s.serial()) : null);
              insert.setString(4, shortReason);
              insert.setString(5, revokedBy);
              insert.setObject(6, at.atOffset(ZoneOffset.UTC));
              insert.executeUpdate();
            }
          }
          return read(connection);
        });
  }

  /** The deny list as the database has it now. */
  public DenyList denyList() {
    return database.inTransaction(RevocationStore::read);
  }

  private static long lockVersion(Connection connection) throws SQLException {
    try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT sequence FROM deny_list_version WHERE id = 1 FOR UPDATE");
        ResultSet row = select.executeQuery()) {
      if (!row.next()) {
        throw new SQLException("the deny list version row is missing");
      }
      return row.getLong(1);
    }
  }

  private static boolean isRevoked(Connection connection, Target target) throws SQLException {
    String sql =
        switch (target) {
          case Target.Identity i -> "SELECT 1 FROM revocations WHERE spiffe_id = ?";
          case Target.Serial s -> "SELECT 1 FROM revocations WHERE serial = ?";
        };
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(
          1,
          switch (target) {
            case Target.Identity i -> i.id().toString();
            case Target.Serial s -> hex(s.serial());
          });
      try (ResultSet row = select.executeQuery()) {
        return row.next();
      }
    }
  }

  // One statement, so one snapshot: the rows and the sequence derived from them agree.
  private static DenyList read(Connection connection) throws SQLException {
    Set<SpiffeId> ids = new HashSet<>();
    Set<BigInteger> serials = new HashSet<>();
    long sequence = 0;
    try (PreparedStatement select =
            connection.prepareStatement("SELECT sequence, spiffe_id, serial FROM revocations");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        sequence = Math.max(sequence, rows.getLong(1));
        String id = rows.getString(2);
        String serial = rows.getString(3);
        if (id != null) {
          ids.add(SpiffeId.parse(id));
        }
        if (serial != null) {
          serials.add(new BigInteger(serial, 16));
        }
      }
    }
    return new DenyList(ids, serials, sequence);
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16);
  }

  /** What is revoked: a whole identity, or one certificate. */
  public sealed interface Target {
    /** Every certificate naming {@code id}, now and later. */
    record Identity(SpiffeId id) implements Target {
      public Identity {
        requireNonNull(id, "id");
      }
    }

    /** The one certificate with {@code serial}. */
    record Serial(BigInteger serial) implements Target {
      public Serial {
        requireNonNull(serial, "serial");
        if (serial.signum() <= 0) {
          throw new IllegalArgumentException("serial: " + serial + " (expected > 0)");
        }
      }
    }
  }
}
