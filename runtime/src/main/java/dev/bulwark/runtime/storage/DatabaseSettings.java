package dev.bulwark.runtime.storage;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a component keeps its state: a JDBC URL (H2 file by default, PostgreSQL in production) and
 * the credentials for it. The password never appears in {@link #toString()}.
 */
public record DatabaseSettings(String jdbcUrl, String user, Optional<String> password) {
  public DatabaseSettings {
    requireNonNull(jdbcUrl, "jdbcUrl");
    requireNonNull(user, "user");
    requireNonNull(password, "password");
    if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl: "
              + jdbcUrl.replaceAll("password=[^&;]*", "password=***")
              + " (expected: jdbc:h2:... or jdbc:postgresql:...)");
    }
  }

  /** The embedded default: an H2 database in files under {@code directory}. */
  public static DatabaseSettings embedded(Path directory, String name) {
    Path base = directory.toAbsolutePath().resolve(name);
    return new DatabaseSettings(
        "jdbc:h2:file:" + base + ";DB_CLOSE_ON_EXIT=FALSE", "bulwark", Optional.empty());
  }

  /**
   * A PostgreSQL database at {@code url}, as the user the URL names or else the operating system's
   * user (libpq's convention).
   */
  public static DatabaseSettings postgresql(String url) {
    return new DatabaseSettings(url, System.getProperty("user.name"), Optional.empty());
  }

  @Override
  public String toString() {
    return "DatabaseSettings{jdbcUrl="
        + jdbcUrl.replaceAll("password=[^&;]*", "password=***")
        + ", user="
        + user
        + ", password="
        + (password.isPresent() ? "***" : "none")
        + "}";
  }
}
