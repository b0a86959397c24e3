package dev.bulwark.runtime.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;

/**
 * A real PostgreSQL for tests: the server on localhost:5432 that development machines and CI run
 * (trust authentication, database {@code test}), or, where none answers, an embedded server started
 * once for the test JVM. Never a skip: the test always talks to PostgreSQL.
 */
public final class TestPostgres {
  private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static EmbeddedPostgres embedded;

  private TestPostgres() {}

  /** Settings for a new, empty schema, so tests never see each other's tables. */
  public static synchronized DatabaseSettings freshSchema() {
    String base = baseUrl();
    String schema = "bw_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection connection = DriverManager.getConnection(base, "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a schema on " + base + ": " + e.getMessage(), e);
    }
    return new DatabaseSettings(
        base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema,
        "postgres",
        Optional.empty());
  }

  /** Which server the tests use, for their output. */
  public static synchronized String describe() {
    return baseUrl();
  }

  private static String baseUrl() {
    if (embedded != null) {
      return embedded.getJdbcUrl("postgres", "postgres");
    }
    DriverManager.setLoginTimeout(2);
    // -Dbulwark.test.embeddedPostgres=true exercises the fallback a machine without a server takes.
    String local =
        Boolean.getBoolean("bulwark.test.embeddedPostgres")
            ? "jdbc:postgresql://127.0.0.1:1/test"
            : LOCAL;
    try (Connection connection = DriverManager.getConnection(local, "postgres", "")) {
      if (connection.isValid(2)) {
        return local;
      }
      throw new SQLException("the local server does not answer");
    } catch (SQLException unreachable) {
      try {
        embedded = EmbeddedPostgres.start();
        return embedded.getJdbcUrl("postgres", "postgres");
      } catch (IOException e) {
        throw new UncheckedIOException(
            "no PostgreSQL on localhost:5432 and the embedded one did not start", e);
      }
    }
  }
}
