package dev.bulwark.examples.profiles;

import dev.bulwark.runtime.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** Profiles in the service's database. */
final class ProfileStore {
  private final Database database;
  private final Clock clock;

  ProfileStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  Optional<Profile> find(String id) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT display_name, email, updated_at FROM profiles WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next()
                  ? Optional.of(
                      new Profile(
                          id,
                          rows.getString(1),
                          rows.getString(2),
                          rows.getTimestamp(3).toInstant()))
                  : Optional.empty();
            }
          }
        });
  }

  Profile save(String id, String displayName, String email) {
    Instant now = clock.instant();
    database.inTransaction(
        connection -> {
          try (PreparedStatement merge =
              connection.prepareStatement(
                  "MERGE INTO profiles p USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(100)),"
                      + " CAST(? AS VARCHAR(254)), CAST(? AS TIMESTAMP WITH TIME ZONE)))"
                      + " AS s (id, display_name, email, updated_at) ON p.id = s.id"
                      + " WHEN MATCHED THEN UPDATE SET display_name = s.display_name, email = s.email,"
                      + " updated_at = s.updated_at"
                      + " WHEN NOT MATCHED THEN INSERT (id, display_name, email, updated_at)"
                      + " VALUES (s.id, s.display_name, s.email, s.updated_at)")) {
            merge.setString(1, id);
            merge.setString(2, displayName);
            merge.setString(3, email);
            merge.setTimestamp(4, Timestamp.from(now));
            merge.executeUpdate();
          }
          return null;
        });
    return new Profile(id, displayName, email, now);
  }
}
