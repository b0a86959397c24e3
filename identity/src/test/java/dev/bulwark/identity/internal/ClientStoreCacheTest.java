package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short-lived cache of client registrations: changes through the same store take effect at
 * once; another instance's changes within {@link ClientStore#CACHE_TTL}.
 */
class ClientStoreCacheTest {
  private static final String SECRET = "s".repeat(40);
  private static final String NEW_SECRET = "n".repeat(40);

  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T12:00:00Z"));
  private Database database;
  private ClientStore here;
  private ClientStore otherInstance;

  @BeforeEach
  void open() {
    database =
        Database.open(
            DatabaseSettings.embedded(dir, "identity"), "clients", "classpath:db/identity");
    here = new ClientStore(database, clock);
    otherInstance = new ClientStore(database, clock);
    here.register(
        new ClientRegistration("shop", "Shop", Set.of("payments:read"), Set.of("urn:pay")),
        new ClientSecret(SECRET));
    // Warm both caches.
    assertThat(here.authenticate("shop", SECRET)).isPresent();
    assertThat(otherInstance.authenticate("shop", SECRET)).isPresent();
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void rotatedSecretStopsWorkingAtOnceInThisInstance() {
    here.replaceSecret("shop", new ClientSecret(NEW_SECRET));

    assertThat(here.authenticate("shop", SECRET)).isEmpty();
    assertThat(here.authenticate("shop", NEW_SECRET)).isPresent();
  }

  @Test
  void deletedClientIsGoneAtOnceInThisInstance() {
    here.delete("shop");

    assertThat(here.authenticate("shop", SECRET)).isEmpty();
    assertThat(here.registration("shop")).isEmpty();
  }

  @Test
  void updatedRegistrationIsSeenAtOnceInThisInstance() {
    here.update(
        here.registration("shop").orElseThrow().toBuilder()
            .scopes(Set.of("payments:write"))
            .build());

    assertThat(here.registration("shop").orElseThrow().scopes()).containsExactly("payments:write");
  }

  @Test
  void anotherInstancesRotationIsSeenWithinTheTtl() {
    here.replaceSecret("shop", new ClientSecret(NEW_SECRET));

    clock.advance(ClientStore.CACHE_TTL);

    assertThat(otherInstance.authenticate("shop", SECRET)).isEmpty();
    assertThat(otherInstance.authenticate("shop", NEW_SECRET)).isPresent();
  }

  @Test
  void wrongSecretIsRefusedFromTheCacheToo() {
    assertThat(here.authenticate("shop", "w".repeat(40))).isEmpty();
    assertThat(here.authenticate("nobody", SECRET)).isEmpty();
  }

  @Test
  void aClockGoingBackwardsDoesNotExtendAnEntry() {
    otherInstance.delete("shop");
    clock.advance(Duration.ofHours(-1));

    assertThat(here.authenticate("shop", SECRET)).isEmpty();
  }
}
