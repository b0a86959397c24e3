package dev.bulwark.examples.profiles;

import dev.bulwark.runtime.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.regex.Pattern;

/** The help desk's tickets, as recorded in the service's database. */
final class SupportTickets {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final Database database;

  SupportTickets(Database database) {
    this.database = database;
  }

  /** The ticket with that id; a malformed id names no ticket. */
  Optional<Ticket> find(String id) {
    if (!ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT subject, status FROM support_tickets WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next()
                  ? Optional.of(new Ticket(id, rows.getString(1), rows.getString(2)))
                  : Optional.empty();
            }
          }
        });
  }

  /** Records a ticket (the help desk's side; here for tests and demos). */
  void save(Ticket ticket) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO support_tickets (id, subject, status) VALUES (?, ?, ?)")) {
            insert.setString(1, ticket.id());
            insert.setString(2, ticket.subject());
            insert.setString(3, ticket.status());
            insert.executeUpdate();
          }
          return null;
        });
  }

  /**
   * A support ticket.
   *
   * @param id the help desk's id
   * @param subject who raised it: the profile it is about
   * @param status {@code open} or {@code closed}
   */
  record Ticket(String id, String subject, String status) {}
}
