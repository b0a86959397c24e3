package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The identity store's migrations and queries on a real PostgreSQL server. */
class PostgresIdentityStoreTest {
  private final SecretSealer sealer =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();
  private final DatabaseSettings settings = TestPostgres.freshSchema();

  @Test
  void signingKeyIsStoredSealedAndReadBack() {
    String kid;
    try (Database database = Database.open(settings, "identity-pg", "classpath:db/identity")) {
      kid = SigningKeyRing.loadOrCreate(database, sealer, Clock.systemUTC()).keyId();
    }
    try (Database database = Database.open(settings, "identity-pg", "classpath:db/identity")) {
      assertThat(SigningKeyRing.loadOrCreate(database, sealer, Clock.systemUTC()).keyId())
          .isEqualTo(kid);
    }
  }

  @Test
  void clientIsRegisteredAndAuthenticated() {
    try (Database database = Database.open(settings, "identity-pg", "classpath:db/identity")) {
      ClientStore clients = new ClientStore(database, Clock.systemUTC());
      ClientSecret secret = ClientSecret.generate();
      clients.register(
          new ClientRegistration(
              "shop", "Shop", Set.of("payments:read"), Set.of("urn:bulwark:payments")),
          secret);

      assertThat(clients.authenticate("shop", secret.reveal())).isPresent();
      assertThat(clients.authenticate("shop", "wrong")).isEmpty();
      assertThat(clients.exists("nobody")).isFalse();
      System.out.println("PostgreSQL under test: " + TestPostgres.describe());
    }
  }
}
