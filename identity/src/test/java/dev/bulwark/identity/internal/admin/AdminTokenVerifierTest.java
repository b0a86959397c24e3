package dev.bulwark.identity.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.identity.internal.MovableClock;
import dev.bulwark.identity.internal.SigningKeyRing;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenVerifierTest {
  static final String ISSUER = "https://idp.example";
  static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

  @TempDir Path dir;
  final SecretSealer sealer =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();
  final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  Database database;
  SigningKeyRing ring;
  AdminTokenVerifier verifier;

  @BeforeEach
  void open() {
    database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "admin", "classpath:db/identity");
    ring = SigningKeyRing.open(database, sealer, clock, Duration.ofDays(30));
    verifier = new AdminTokenVerifier(ring, () -> ISSUER, clock);
  }

  @AfterEach
  void close() {
    database.close();
  }

  JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("ops")
        .audience(List.of(AdminTokenVerifier.AUDIENCE))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("client_id", "ops")
        .claim("roles", List.of("identity-admin"));
  }

  Optional<String> bearer(JWSAlgorithm algorithm, JOSEObjectType type, JWTClaimsSet claims) {
    return Optional.of("Bearer " + ring.sign(algorithm, type, claims).serialize());
  }

  AdminTokenVerifier.Decision verify(JWTClaimsSet claims) {
    return verifier.verify(bearer(JWSAlgorithm.ES256, AT_JWT, claims));
  }

  @Test
  void adminTokenOfEveryAlgorithmIsAccepted() {
    for (JWSAlgorithm algorithm : SigningKeyRing.ALGORITHMS) {
      assertThat(verifier.verify(bearer(algorithm, AT_JWT, claims().build())))
          .as(algorithm.getName())
          .isEqualTo(new AdminTokenVerifier.Admin("ops", Optional.of("ops")));
    }
  }

  @Test
  void tokenSignedBeforeARotationIsStillAccepted() {
    Optional<String> before = bearer(JWSAlgorithm.ES256, AT_JWT, claims().build());
    ring.rotateNow();

    assertThat(verifier.verify(before)).isInstanceOf(AdminTokenVerifier.Admin.class);
  }

  @Test
  void missingTokenIsUnauthenticatedWithoutAnError() {
    assertThat(verifier.verify(Optional.empty()))
        .isEqualTo(new AdminTokenVerifier.Unauthenticated(false, "no bearer token"));
    assertThat(verifier.verify(Optional.of("Basic b3BzOnNlY3JldA==")))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void expiredTokenIsRefused() {
    AdminTokenVerifier.Decision decision =
        verify(claims().expirationTime(Date.from(clock.instant().minusSeconds(60))).build());

    assertThat(decision).isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void tokenExpiresWithTheClock() {
    Optional<String> token = bearer(JWSAlgorithm.ES256, AT_JWT, claims().build());
    clock.advance(Duration.ofMinutes(10));

    assertThat(verifier.verify(token)).isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void wrongAudienceIsRefused() {
    assertThat(verify(claims().audience("urn:bulwark:payments").build()))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void wrongIssuerIsRefused() {
    assertThat(verify(claims().issuer("https://evil.example").build()))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void idTokenTypeIsRefused() {
    assertThat(verifier.verify(bearer(JWSAlgorithm.ES256, JOSEObjectType.JWT, claims().build())))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void tokenFromAnotherProvidersKeysIsRefused(@TempDir Path otherDir) {
    try (Database other =
        Database.open(
            DatabaseSettings.embedded(otherDir, "identity"), "other", "classpath:db/identity")) {
      SigningKeyRing foreign = SigningKeyRing.open(other, sealer, clock, Duration.ofDays(30));
      String token = foreign.sign(JWSAlgorithm.ES256, AT_JWT, claims().build()).serialize();

      assertThat(verifier.verify(Optional.of("Bearer " + token)))
          .isEqualTo(
              new AdminTokenVerifier.Unauthenticated(
                  true, "the bearer token's signature does not verify"));
    }
  }

  @Test
  void garbageIsUnauthenticatedNotAnException() {
    assertThat(verifier.verify(Optional.of("Bearer not.a.jwt")))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
    assertThat(verifier.verify(Optional.of("Bearer eyJhbGciOiJub25lIn0.e30.")))
        .isInstanceOf(AdminTokenVerifier.Unauthenticated.class);
  }

  @Test
  void userTokenActsAsTheUser() {
    assertThat(verify(claims().subject("user-1").claim("client_id", "console").build()))
        .isEqualTo(new AdminTokenVerifier.Admin("user-1", Optional.of("console")));
  }

  @Test
  void validTokenWithoutTheRoleIsForbidden() {
    assertThat(verify(claims().claim("roles", List.of("auditor")).build()))
        .isEqualTo(new AdminTokenVerifier.Forbidden("ops"));
    assertThat(verify(claims().claim("roles", null).build()))
        .isEqualTo(new AdminTokenVerifier.Forbidden("ops"));
    assertThat(verify(claims().claim("roles", "identity-admin").build()))
        .as("roles must be a list")
        .isInstanceOf(AdminTokenVerifier.Forbidden.class);
  }
}
