package dev.bulwark.sdk.token;

import static dev.bulwark.sdk.token.TestTokens.LIFETIME;
import static dev.bulwark.sdk.token.TestTokens.NOW;
import static dev.bulwark.sdk.token.TestTokens.token;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {
  private final MutableClock clock = new MutableClock(NOW);
  private final AccessTokenVerifier cached =
      TestTokens.verifier()
          .clock(clock)
          .clockSkew(Duration.ZERO)
          .cacheVerifiedTokens(100, Duration.ofMinutes(1))
          .build();

  @Test
  void cachedTokenStillExpiresOnTime() {
    String compact = token().serialize();
    assertThat(cached.verify(compact)).isInstanceOf(Verified.class);

    clock.set(NOW.plus(LIFETIME).plusSeconds(1));

    assertThat(cached.verify(compact))
        .isInstanceOfSatisfying(
            Rejected.class, r -> assertThat(r.reason()).isEqualTo(Reason.EXPIRED));
  }

  @Test
  void tamperedCopyOfACachedTokenIsStillRejected() {
    String compact = token().serialize();
    assertThat(cached.verify(compact)).isInstanceOf(Verified.class);
    String[] parts = compact.split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[0] ^= 0x01;

    TokenVerification result =
        cached.verify(
            parts[0]
                + "."
                + parts[1]
                + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature));

    assertThat(result)
        .isInstanceOfSatisfying(
            Rejected.class, r -> assertThat(r.reason()).isEqualTo(Reason.BAD_SIGNATURE));
  }

  @Test
  void rejectedTokensAreNotRemembered() {
    AccessTokenVerifier strict =
        TestTokens.verifier()
            .audience("urn:other")
            .cacheVerifiedTokens(100, Duration.ofMinutes(1))
            .build();
    String compact = token().serialize();

    assertThat(strict.verify(compact)).isInstanceOf(Rejected.class);
    assertThat(strict.verify(compact)).isInstanceOf(Rejected.class);
  }

  @Test
  void entryOlderThanMaxAgeIsNotUsed() {
    VerifiedTokenCache cache = new VerifiedTokenCache(10, Duration.ofSeconds(30));
    cache.put("t", accessToken(), NOW);

    assertThat(cache.get("t", NOW.plusSeconds(29))).isPresent();
    assertThat(cache.get("t", NOW.plusSeconds(31))).isEmpty();
  }

  @Test
  void cacheStaysWithinItsBound() {
    VerifiedTokenCache cache = new VerifiedTokenCache(3, Duration.ofMinutes(1));
    for (int i = 0; i < 50; i++) {
      cache.put("t" + i, accessToken(), NOW);
      assertThat(cache.size()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void builderRefusesUnboundedSettings() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestTokens.verifier().cacheVerifiedTokens(0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestTokens.verifier().cacheVerifiedTokens(10, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static AccessToken accessToken() {
    return new AccessToken(
        "iss", "sub", "client", List.of("aud"), Set.of(), NOW, NOW.plus(LIFETIME), "jti");
  }
}
