package dev.bulwark.runtime.storage;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.runtime.http.HealthCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * A component's database: a connection pool whose schema has been brought up to date by Flyway
 * before anything else touches it.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource dataSource;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Opens the database and applies the migrations found at {@code migrations} (e.g. {@code
   * classpath:db/identity}).
   *
   * @throws StorageException if the database cannot be reached or migrated
   */
  public static Database open(DatabaseSettings settings, String poolName, String migrations) {
    requireNonNull(migrations, "migrations");
    Database database = open(settings, poolName);
    try {
      Flyway.configure().dataSource(database.dataSource).locations(migrations).load().migrate();
    } catch (FlywayException e) {
      database.close();
      throw new StorageException("cannot migrate database " + settings + ": " + rootMessage(e), e);
    }
    return database;
  }

  /**
   * Opens the database for a store that creates its own tables (e.g. the audit log, whose schema is
   * part of its tamper-evidence format).
   *
   * @throws StorageException if the database cannot be reached
   */
  public static Database open(DatabaseSettings settings, String poolName) {
    requireNonNull(settings, "settings");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    settings.password().ifPresent(config::setPassword);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(8);
    config.setInitializationFailTimeout(5_000);
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StorageException("cannot open database " + settings + ": " + rootMessage(e), e);
    }
    return new Database(dataSource);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back if it throws.
   */
  public <T> T inTransaction(SqlWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StorageException("database error: " + rootMessage(e), e);
    }
  }

  /** A health check that fails when the database does not answer. */
  public HealthCheck healthCheck() {
    return () -> {
      try (Connection connection = dataSource.getConnection()) {
        return connection.isValid(2) ? Optional.empty() : Optional.of("database not answering");
      } catch (SQLException e) {
        return Optional.of("database unreachable");
      }
    };
  }

  @Override
  public void close() {
    dataSource.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  /** Work against one connection inside a transaction. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }
}
