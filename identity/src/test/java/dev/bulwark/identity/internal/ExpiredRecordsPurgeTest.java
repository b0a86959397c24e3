package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic purge of expired access tokens, refresh families, assertion ids and codes. */
class ExpiredRecordsPurgeTest {
  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-11-23T12:00:00Z"));
  private Database database;
  private TokenStore tokens;
  private AuthorizationCodeStore codes;

  @BeforeEach
  void open() {
    database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "purge", "classpath:db/identity");
    tokens = new TokenStore(database, clock);
    codes = new AuthorizationCodeStore(database, clock, AuthorizationCodeStore.MAX_LIFETIME);
  }

  @AfterEach
  void close() {
    database.close();
  }

  private void accessToken(String jti) {
    Instant now = clock.instant();
    tokens.recordAccessToken(
        new TokenStore.AccessTokenRecord(
            jti,
            "app",
            "user-1",
            Optional.empty(),
            Optional.empty(),
            "{\"sub\":\"user-1\"}",
            now,
            now.plusSeconds(300),
            Optional.empty()),
        Optional.empty());
  }

  private String code() {
    return codes.issue(
        new CodeGrant(
            "app",
            "user-1",
            "session-1",
            URI.create("https://app.example/callback"),
            "challenge",
            Set.of("openid"),
            List.of("urn:bulwark:payments"),
            Optional.empty(),
            clock.instant(),
            List.of("pwd"),
            UserSession.ACR_PASSWORD));
  }

  @Test
  void purgeDeletesTokensAndCodesExpiredMoreThanADayAgo() {
    accessToken("jti-1");
    code();
    tokens.firstUseOfAssertion("client", "assertion-1", clock.instant().plusSeconds(60));
    clock.advance(Duration.ofDays(1).plusMinutes(10));

    try (ExpiredRecordsPurge purge =
        ExpiredRecordsPurge.start(tokens, codes, ExpiredRecordsPurge.DEFAULT_PERIOD)) {
      assertThat(purge.run()).isEqualTo(3);
    }

    assertThat(tokens.accessTokenByJti("jti-1")).isEmpty();
    // The assertion id may be used again only once it is gone: it had expired anyway.
    assertThat(tokens.firstUseOfAssertion("client", "assertion-1", clock.instant())).isTrue();
  }

  @Test
  void purgeKeepsWhatExpiredLessThanADayAgo() {
    accessToken("jti-2");
    code();
    clock.advance(Duration.ofHours(12));

    try (ExpiredRecordsPurge purge =
        ExpiredRecordsPurge.start(tokens, codes, ExpiredRecordsPurge.DEFAULT_PERIOD)) {
      assertThat(purge.run()).isZero();
    }

    assertThat(tokens.accessTokenByJti("jti-2")).isPresent();
  }

  @Test
  void purgeRunsEveryPeriodUntilClosed() throws InterruptedException {
    accessToken("jti-3");
    clock.advance(Duration.ofDays(2));

    ExpiredRecordsPurge purge = ExpiredRecordsPurge.start(tokens, codes, Duration.ofMillis(20));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (tokens.accessTokenByJti("jti-3").isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(tokens.accessTokenByJti("jti-3")).isEmpty();
    } finally {
      purge.close();
    }
  }

  @Test
  void refusesANonPositivePeriod() {
    assertThatThrownBy(() -> ExpiredRecordsPurge.start(tokens, codes, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
