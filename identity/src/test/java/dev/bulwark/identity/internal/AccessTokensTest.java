package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-credentials JWTs are not recorded at issue, yet resolve while valid and can be revoked;
 * any other token without a record is refused.
 */
class AccessTokensTest {
  private static final String ISSUER = "https://idp.example";
  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T12:00:00Z"));
  private Database database;
  private SigningKeyRing keys;
  private TokenStore store;
  private AccessTokens tokens;
  private final ClientRegistration shop =
      new ClientRegistration("shop", "Shop", Set.of("payments:read"), Set.of("urn:bulwark:pay"));

  @BeforeEach
  void open() {
    database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "at", "classpath:db/identity");
    keys =
        SigningKeyRing.open(
            database,
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer(),
            clock,
            Duration.ofDays(30));
    store = new TokenStore(database, clock);
    tokens = new AccessTokens(keys, store, () -> ISSUER, clock);
  }

  @AfterEach
  void close() {
    keys.close();
    database.close();
  }

  private static JWTClaimsSet.Builder clientClaims() {
    return new JWTClaimsSet.Builder().subject("shop").audience(List.of("urn:bulwark:pay"));
  }

  @Test
  void clientCredentialsJwtIsNotRecordedYetResolves() {
    AccessTokens.Issued issued = tokens.issueUnrecorded(shop, clientClaims(), TTL);

    assertThat(store.accessTokenByJti(issued.jti())).isEmpty();
    AccessTokens.Active active = tokens.resolve(issued.value()).orElseThrow();
    assertThat(active.record().clientId()).isEqualTo("shop");
    assertThat(active.claims().getJWTID()).isEqualTo(issued.jti());
  }

  @Test
  void revokedClientCredentialsJwtNoLongerResolves() {
    AccessTokens.Issued issued = tokens.issueUnrecorded(shop, clientClaims(), TTL);

    assertThat(tokens.revoke(tokens.find(issued.value()).orElseThrow())).isTrue();

    assertThat(tokens.resolve(issued.value())).isEmpty();
    assertThat(store.accessTokenByJti(issued.jti()).orElseThrow().revokedAt()).isPresent();
    // Revoking again finds it on the list: nothing more to do.
    assertThat(tokens.revoke(tokens.find(issued.value()).orElseThrow())).isFalse();
  }

  @Test
  void expiredClientCredentialsJwtDoesNotResolve() {
    AccessTokens.Issued issued = tokens.issueUnrecorded(shop, clientClaims(), TTL);
    clock.advance(TTL);

    assertThat(tokens.resolve(issued.value())).isEmpty();
  }

  @Test
  void usersTokenWithoutARecordIsRefused() {
    // As if a user's token had lost its row: it must not pass as a client-credentials token.
    AccessTokens.Issued issued =
        tokens.issueUnrecorded(shop, clientClaims().subject("user-1"), TTL);

    assertThat(tokens.find(issued.value())).isEmpty();
    assertThat(tokens.resolve(issued.value())).isEmpty();
  }

  @Test
  void exchangedOrSessionBoundTokenWithoutARecordIsRefused() {
    AccessTokens.Issued exchanged =
        tokens.issueUnrecorded(shop, clientClaims().claim("act", Map.of("sub", "gateway")), TTL);
    AccessTokens.Issued sessionBound =
        tokens.issueUnrecorded(shop, clientClaims().claim("sid", "session-1"), TTL);

    assertThat(tokens.resolve(exchanged.value())).isEmpty();
    assertThat(tokens.resolve(sessionBound.value())).isEmpty();
  }

  @Test
  void recordedTokensAreStillRecorded() {
    AccessTokens.Issued issued =
        tokens.issue(shop, clientClaims(), TTL, Optional.of("family-1"), Optional.empty());

    assertThat(store.accessTokenByJti(issued.jti())).isPresent();
    store.revokeFamily("family-1");
    assertThat(tokens.resolve(issued.value())).isEmpty();
  }

  @Test
  void opaqueClientCredentialsTokenIsRecorded() {
    ClientRegistration opaque =
        shop.toBuilder().tokenFormat(ClientRegistration.TokenFormat.OPAQUE).build();

    AccessTokens.Issued issued = tokens.issueUnrecorded(opaque, clientClaims(), TTL);

    assertThat(store.accessTokenByJti(issued.jti())).isPresent();
    assertThat(tokens.resolve(issued.value())).isPresent();
  }
}
