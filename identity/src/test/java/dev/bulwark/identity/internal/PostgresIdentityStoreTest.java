package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
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

  private Database open() {
    return Database.open(settings, "identity-pg", "classpath:db/identity");
  }

  @Test
  void keyRingRotatesAndSurvivesARestart() {
    MovableClock clock = new MovableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    java.util.Set<String> published;
    String current;
    try (Database database = open()) {
      SigningKeyRing ring = SigningKeyRing.open(database, sealer, clock, Duration.ofDays(30));
      String first = ring.currentKeyId(JWSAlgorithm.RS256);
      clock.advance(Duration.ofDays(30));

      assertThat(ring.rotateIfDue()).hasSize(SigningKeyRing.ALGORITHMS.size());
      ring.rotateNow();

      assertThat(ring.currentKeyId(JWSAlgorithm.RS256)).isNotEqualTo(first);
      assertThat(SigningKeyRingTest.kids(ring.publicKeys())).doesNotContain(first);
      assertThat(ring.keys())
          .filteredOn(k -> k.kid().equals(first))
          .singleElement()
          .satisfies(k -> assertThat(k.state()).isEqualTo(SigningKeyRing.KeyState.RETIRED));
      published = SigningKeyRingTest.kids(ring.publicKeys());
      current = ring.currentKeyId(JWSAlgorithm.EdDSA);
    }
    try (Database database = open()) {
      SigningKeyRing ring = SigningKeyRing.open(database, sealer, clock, Duration.ofDays(30));

      assertThat(SigningKeyRingTest.kids(ring.publicKeys())).isEqualTo(published);
      assertThat(ring.currentKeyId(JWSAlgorithm.EdDSA)).isEqualTo(current);
      assertThat(
              SigningKeyRingTest.verifies(
                  SigningKeyRingTest.signed(ring, JWSAlgorithm.EdDSA), ring.publicKeys()))
          .isTrue();
    }
  }

  @Test
  void concurrentRotationOnPostgresRotatesOnce() throws Exception {
    MovableClock clock = new MovableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    try (Database database = open()) {
      SigningKeyRing one = SigningKeyRing.open(database, sealer, clock, Duration.ofDays(30));
      SigningKeyRing two = SigningKeyRing.open(database, sealer, clock, Duration.ofDays(30));
      clock.advance(Duration.ofDays(30));
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.ExecutorService threads =
          java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var first =
            threads.submit(
                () -> {
                  go.await();
                  return one.rotateIfDue();
                });
        var second =
            threads.submit(
                () -> {
                  go.await();
                  return two.rotateIfDue();
                });
        go.countDown();

        assertThat(first.get().size() + second.get().size())
            .isEqualTo(SigningKeyRing.ALGORITHMS.size());
      } finally {
        threads.shutdownNow();
      }
      assertThat(one.keys()).hasSize(3 * SigningKeyRing.ALGORITHMS.size());
    }
  }

  @Test
  void twoInstancesStartingOnAnEmptyDatabaseShareOneRing() throws Exception {
    try (Database database = open()) {
      java.util.concurrent.ExecutorService threads =
          java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var first =
            threads.submit(
                () -> SigningKeyRing.open(database, sealer, Clock.systemUTC(), Duration.ofDays(1)));
        var second =
            threads.submit(
                () -> SigningKeyRing.open(database, sealer, Clock.systemUTC(), Duration.ofDays(1)));
        SigningKeyRing a = first.get();
        SigningKeyRing b = second.get();
        a.rotateIfDue();
        b.rotateIfDue();

        for (JWSAlgorithm algorithm : SigningKeyRing.ALGORITHMS) {
          assertThat(a.currentKeyId(algorithm)).isEqualTo(b.currentKeyId(algorithm));
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void userDirectoryKeepsUsersGroupsAndRoles() {
    try (Database database = open()) {
      UserDirectory users = new UserDirectory(database, new PasswordHasher(), Clock.systemUTC());
      UserAccount alice =
          users.create(
              "alice", "Alice", Optional.of("alice@example.com"), "correct horse battery 42");
      users.grantRole(alice.userId(), "payments-admin");
      users.grantRole(alice.userId(), "payments-admin");
      users.createGroup("finance", "Finance");
      users.addMember("finance", alice.userId());
      users.addMember("finance", alice.userId());
      users.grantGroupRole("finance", "refunds");
      users.updateProfile(alice.userId(), "Alice A.", Optional.empty());

      UserAccount stored = users.byUsername("ALICE").orElseThrow();
      assertThat(stored.roles()).containsExactlyInAnyOrder("payments-admin", "refunds");
      assertThat(stored.groups()).containsExactly("finance");
      assertThat(stored.displayName()).isEqualTo("Alice A.");
      assertThat(stored.email()).isEmpty();
      assertThat(users.checkPassword("alice", "correct horse battery 42")).isPresent();
      assertThat(users.checkPassword("alice", "wrong password")).isEmpty();
      assertThatThrownBy(() -> users.createGroup("finance", "again"))
          .isInstanceOf(IdentityException.class)
          .extracting(e -> ((IdentityException) e).code())
          .isEqualTo(IdentityException.Code.GROUP_EXISTS);

      users.revokeGroupRole("finance", "refunds");
      users.removeMember("finance", alice.userId());
      users.revokeRole(alice.userId(), "payments-admin");
      users.setEnabled(alice.userId(), false);
      assertThat(users.byId(alice.userId()).orElseThrow().roles()).isEmpty();
      assertThat(users.checkPassword("alice", "correct horse battery 42")).as("disabled").isEmpty();
      assertThat(users.deleteGroup("finance")).isTrue();
      assertThat(users.delete(alice.userId())).isTrue();
      assertThat(users.list()).isEmpty();
    }
  }

  @Test
  void sessionsAreStartedResumedAndRevoked() {
    try (Database database = open()) {
      UserDirectory users = new UserDirectory(database, new PasswordHasher(), Clock.systemUTC());
      String userId =
          users.create("bob", "Bob", Optional.empty(), "correct horse battery 42").userId();
      SessionStore sessions = new SessionStore(database, Clock.systemUTC());
      SessionStore.Started first =
          sessions.start(
              userId, List.of("pwd"), UserSession.ACR_PASSWORD, Duration.ofHours(1), "::1");
      sessions.start(userId, List.of("pwd"), UserSession.ACR_PASSWORD, Duration.ofHours(1), "::1");

      assertThat(sessions.resume(first.cookieValue())).isPresent();
      assertThat(sessions.resume(first.session().sessionId() + ".forged")).isEmpty();
      assertThat(sessions.forUser(userId)).hasSize(2);
      assertThat(sessions.revoke(first.session().sessionId())).isTrue();
      assertThat(sessions.resume(first.cookieValue())).isEmpty();
      assertThat(sessions.revokeAll(userId)).isEqualTo(1);
    }
  }

  @Test
  void clientStoreUpdatesRotatesAndDeletes() {
    try (Database database = open()) {
      ClientStore clients = new ClientStore(database, Clock.systemUTC());
      ClientSecret secret = ClientSecret.generate();
      clients.register(
          ClientRegistration.builder("reports", "Reports")
              .audiences(Set.of("urn:bulwark:payments"))
              .roles(Set.of("identity-admin"))
              .build(),
          secret);
      clients.update(
          clients.registration("reports").orElseThrow().toBuilder()
              .roles(Set.of("auditor"))
              .build());
      ClientSecret rotated = ClientSecret.generate();
      clients.replaceSecret("reports", rotated);

      assertThat(clients.registration("reports").orElseThrow().roles()).containsExactly("auditor");
      assertThat(clients.authenticate("reports", secret.reveal())).isEmpty();
      assertThat(clients.authenticate("reports", rotated.reveal())).isPresent();
      assertThat(clients.list()).extracting(ClientRegistration::clientId).contains("reports");
      assertThatThrownBy(
              () -> clients.register(clients.registration("reports").orElseThrow(), secret))
          .isInstanceOf(IdentityException.class);
      assertThat(clients.delete("reports")).isTrue();
      assertThat(clients.exists("reports")).isFalse();
    }
  }
}
