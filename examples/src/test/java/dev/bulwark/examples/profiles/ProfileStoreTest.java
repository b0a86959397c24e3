package dev.bulwark.examples.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The profiles store on both databases Bulwark supports: embedded H2 and real PostgreSQL. */
class ProfileStoreTest {
  @TempDir static Path dir;

  static Stream<String> databases() {
    return Stream.of("h2", "postgresql");
  }

  private static DatabaseSettings settings(String kind) {
    return kind.equals("h2")
        ? DatabaseSettings.embedded(dir, "profiles-" + System.nanoTime())
        : TestPostgres.freshSchema();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void savingTwiceInsertsThenUpdates(String kind) {
    try (Database database =
        Database.open(settings(kind), "profiles-test", "classpath:db/profiles")) {
      ProfileStore store = new ProfileStore(database, Clock.systemUTC());

      store.save("ada", "Ada", "ada@example.com");
      store.save("ada", "Ada Lovelace", "ada@example.org");

      Profile found = store.find("ada").orElseThrow();
      assertThat(found.displayName()).isEqualTo("Ada Lovelace");
      assertThat(found.email()).isEqualTo("ada@example.org");
      assertThat(store.find("nobody")).isEmpty();
    }
  }
}
