package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The V3 token tables and {@link TokenStore}'s statements on a real PostgreSQL server. */
class PostgresTokenStoreTest {
  private final DatabaseSettings settings = TestPostgres.freshSchema();
  private Database database;
  private TokenStore store;

  @BeforeEach
  void open() {
    database = Database.open(settings, "identity-pg-tokens", "classpath:db/identity");
    store = new TokenStore(database, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    database.close();
  }

  private static TokenStore.RefreshGrant grant(String family, Optional<String> codeHash) {
    return new TokenStore.RefreshGrant(
        family,
        "app",
        "user-1",
        "session-1",
        codeHash,
        Set.of("openid", "payments:read"),
        List.of("urn:bulwark:payments"),
        Instant.now(),
        List.of("pwd"),
        UserSession.ACR_PASSWORD,
        Instant.now().plus(Duration.ofHours(1)));
  }

  private void accessToken(String jti, Optional<String> family, Optional<String> codeHash) {
    store.recordAccessToken(
        new TokenStore.AccessTokenRecord(
            jti,
            "app",
            "user-1",
            family,
            codeHash,
            "{\"sub\":\"user-1\"}",
            Instant.now(),
            Instant.now().plusSeconds(300),
            Optional.empty()),
        Optional.empty());
  }

  @Test
  void rotationMarksTheTokenUsedOnceOnly() {
    String first = store.issueRefreshToken(grant("family-1", Optional.empty()));
    TokenStore.RefreshRecord presented = store.refreshToken(first).orElseThrow();

    Optional<String> next = store.rotate(presented);

    assertThat(next).isPresent();
    assertThat(store.rotate(presented)).as("second rotation of the same token").isEmpty();
    assertThat(store.refreshToken(first).orElseThrow().usedAt()).isPresent();
    assertThat(store.refreshToken(next.get()).orElseThrow().isActive(Instant.now())).isTrue();
  }

  @Test
  void familyRevocationReachesRefreshAndAccessTokens() {
    String refresh = store.issueRefreshToken(grant("family-2", Optional.empty()));
    accessToken("jti-2", Optional.of("family-2"), Optional.empty());

    assertThat(store.revokeFamily("family-2")).isEqualTo(2);

    assertThat(store.refreshToken(refresh).orElseThrow().revokedAt()).isPresent();
    assertThat(store.accessTokenByJti("jti-2").orElseThrow().revokedAt()).isPresent();
  }

  @Test
  void codeRevocationReachesEverythingFromTheCode() {
    String refresh = store.issueRefreshToken(grant("family-3", Optional.of("code-3")));
    accessToken("jti-3a", Optional.of("family-3"), Optional.of("code-3"));
    accessToken("jti-3b", Optional.of("family-3"), Optional.empty());

    store.revokeFromCode("code-3");

    assertThat(store.refreshToken(refresh).orElseThrow().revokedAt()).isPresent();
    assertThat(store.accessTokenByJti("jti-3a").orElseThrow().revokedAt()).isPresent();
    assertThat(store.accessTokenByJti("jti-3b").orElseThrow().revokedAt()).isPresent();
  }

  @Test
  void assertionIdIsAcceptedOncePerClient() {
    Instant expires = Instant.now().plusSeconds(60);

    assertThat(store.firstUseOfAssertion("signer", "jti-1", expires)).isTrue();
    assertThat(store.firstUseOfAssertion("signer", "jti-1", expires)).isFalse();
    assertThat(store.firstUseOfAssertion("other", "jti-1", expires)).isTrue();
  }

  @Test
  void purgeKeepsWhatIsStillUsable() {
    store.issueRefreshToken(grant("family-4", Optional.empty()));
    accessToken("jti-4", Optional.empty(), Optional.empty());

    store.purgeExpired();

    assertThat(store.accessTokenByJti("jti-4")).isPresent();
  }
}
