package dev.bulwark.audit.log;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for the store's tests, as runtime's {@code TestPostgres} finds it (the server
 * on localhost:5432, or an embedded one where none answers); a copy, because the runtime module
 * depends on this one. Each test gets its own schema and drops it afterwards.
 */
final class TestPostgres {
  private static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static EmbeddedPostgres embedded;

  private TestPostgres() {}

  /** A schema of its own, dropped on {@link Schema#close()}. */
  static synchronized Schema freshSchema() {
    String base = baseUrl();
    String schema = "bw_audit_" + UUID.randomUUID().toString().replace("-", "");
    execute(base, "CREATE SCHEMA " + schema);
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(base);
    dataSource.setUser("postgres");
    dataSource.setCurrentSchema(schema);
    return new Schema(base, schema, dataSource);
  }

  private static void execute(String url, String sql) {
    try (Connection connection = DriverManager.getConnection(url, "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on " + url + ": " + e.getMessage(), e);
    }
  }

  private static String baseUrl() {
    if (embedded != null) {
      return embedded.getJdbcUrl("postgres", "postgres");
    }
    DriverManager.setLoginTimeout(2);
    try (Connection connection = DriverManager.getConnection(LOCAL, "postgres", "")) {
      if (connection.isValid(2)) {
        return LOCAL;
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

  /** A test's schema and a data source whose connections use it. */
  record Schema(String url, String name, PGSimpleDataSource dataSource) implements AutoCloseable {
    /** Runs one statement in the schema, as an attacker with database access would. */
    void execute(String sql) {
      TestPostgres.execute(url, "SET search_path TO " + name + "; " + sql);
    }

    @Override
    public void close() {
      TestPostgres.execute(url, "DROP SCHEMA " + name + " CASCADE");
    }
  }
}
