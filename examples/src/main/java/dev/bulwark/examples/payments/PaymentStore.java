package dev.bulwark.examples.payments;

import dev.bulwark.runtime.storage.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Payments in the service's database. */
final class PaymentStore {
  private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");
  private static final String COLUMNS =
      "id, owner, amount, currency, description, status, created_at, refunded_at";
  private static final String SELECT_BY_ID = "SELECT " + COLUMNS + " FROM payments WHERE id = ?";
  private static final String SELECT_BY_ID_FOR_UPDATE = SELECT_BY_ID + " FOR UPDATE";

  private final Database database;
  private final Clock clock;

  PaymentStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  Payment create(String owner, BigDecimal amount, String currency, String description) {
    Payment payment =
        new Payment(
            UUID.randomUUID().toString(),
            owner,
            amount,
            currency,
            description,
            "captured",
            clock.instant(),
            Optional.empty());
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO payments (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL)")) {
            insert.setString(1, payment.id());
            insert.setString(2, owner);
            insert.setBigDecimal(3, amount);
            insert.setString(4, currency);
            insert.setString(5, description);
            insert.setString(6, payment.status());
            insert.setTimestamp(7, Timestamp.from(payment.createdAt()));
            insert.executeUpdate();
          }
          return null;
        });
    return payment;
  }

  List<Payment> listByOwner(String owner, int limit) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM payments WHERE owner = ? ORDER BY created_at DESC LIMIT ?")) {
            select.setString(1, owner);
            select.setInt(2, limit);
            List<Payment> payments = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                payments.add(read(rows));
              }
            }
            return payments;
          }
        });
  }

  Optional<Payment> find(String id) {
    if (!ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return database.inTransaction(connection -> findIn(connection, id, false));
  }

  RefundOutcome refund(String id) {
    if (!ID.matcher(id).matches()) {
      return new RefundOutcome.NotFound(id);
    }
    return database.inTransaction(
        connection -> {
          Optional<Payment> payment = findIn(connection, id, true);
          if (payment.isEmpty()) {
            return new RefundOutcome.NotFound(id);
          }
          if (payment.get().refundedAt().isPresent()) {
            return new RefundOutcome.AlreadyRefunded(id);
          }
          Instant now = clock.instant();
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE payments SET status = 'refunded', refunded_at = ? WHERE id = ?")) {
            update.setTimestamp(1, Timestamp.from(now));
            update.setString(2, id);
            update.executeUpdate();
          }
          Payment p = payment.get();
          return new RefundOutcome.Refunded(
              new Payment(
                  p.id(),
                  p.owner(),
                  p.amount(),
                  p.currency(),
                  p.description(),
                  "refunded",
                  p.createdAt(),
                  Optional.of(now)));
        });
  }

  private static Optional<Payment> findIn(Connection connection, String id, boolean forUpdate)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(forUpdate ? SELECT_BY_ID_FOR_UPDATE : SELECT_BY_ID)) {
      select.setString(1, id);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(read(rows)) : Optional.empty();
      }
    }
  }

  private static Payment read(ResultSet rows) throws SQLException {
    Timestamp refunded = rows.getTimestamp(8);
    return new Payment(
        rows.getString(1),
        rows.getString(2),
        rows.getBigDecimal(3),
        rows.getString(4),
        rows.getString(5),
        rows.getString(6),
        rows.getTimestamp(7).toInstant(),
        Optional.ofNullable(refunded).map(Timestamp::toInstant));
  }

  /** What a refund did. */
  sealed interface RefundOutcome {
    record Refunded(Payment payment) implements RefundOutcome {}

    record AlreadyRefunded(String id) implements RefundOutcome {}

    record NotFound(String id) implements RefundOutcome {}
  }
}
