package dev.bulwark.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication.Authenticated;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication.Challenged;
import dev.bulwark.sdk.token.CertificateBinding;
import dev.bulwark.sdk.token.IssuerKeys;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each attack on caller authentication is tried against real HTTPS issuers and refused. */
class CallerAuthenticatorTest {
  private static final String PAYMENTS = "urn:test:payments";
  private static final String PROFILES = "urn:test:profiles";

  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Auth test CA", Duration.ofDays(1), Clock.systemUTC());
  private final MutableClock clock =
      new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final Metrics metrics = Metrics.create();
  private TestIssuer bulwark;
  private TestIssuer keycloak;
  private SSLContext tls;
  private CallerAuthenticators authenticators;

  @BeforeEach
  void start() throws Exception {
    bulwark = new TestIssuer("bulwark-identity", authority, metrics);
    keycloak = new TestIssuer("keycloak", authority, metrics);
    tls = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    authenticators =
        CallerAuthenticators.create(
            List.of(
                new TrustedIssuer(
                    bulwark.issuer(),
                    Optional.of(bulwark.jwksUri()),
                    Set.of("ES256", "EdDSA"),
                    Optional.of(bulwark.introspection()),
                    Duration.ofSeconds(30)),
                TrustedIssuer.ofJwts(keycloak.issuer(), keycloak.jwksUri(), Set.of("RS256"))),
            tls,
            clock);
  }

  @AfterEach
  void stop() {
    authenticators.close();
    bulwark.close();
    keycloak.close();
    metrics.close();
  }

  private Authentication payments(String token) {
    return authenticators
        .forAudience(PAYMENTS)
        .authenticate(Optional.of("Bearer " + token), Optional.empty());
  }

  private static void assertRefused(Authentication result, Reason reason) {
    assertThat(result).isInstanceOf(Challenged.class);
    Challenged challenged = (Challenged) result;
    assertThat(challenged.reason()).contains(reason);
    assertThat(challenged.status()).isEqualTo(401);
    assertThat(challenged.error()).isEqualTo("invalid_token");
  }

  private static void assertUnavailable(Authentication result) {
    assertThat(result).isInstanceOf(Challenged.class);
    assertThat(((Challenged) result).status()).isEqualTo(503);
    assertThat(((Challenged) result).error()).isEqualTo("temporarily_unavailable");
  }

  private JWTClaimsSet.Builder claims() {
    return bulwark.claims(PAYMENTS, clock.instant());
  }

  @Test
  void acceptsEs256TokenOfTrustedIssuer() throws Exception {
    Authentication result = payments(bulwark.es256(claims().build()));

    assertThat(result).isInstanceOf(Authenticated.class);
    assertThat(((Authenticated) result).token().issuer()).isEqualTo(bulwark.issuer());
    assertThat(((Authenticated) result).token().certificateThumbprint()).isEmpty();
  }

  @Test
  void answersWithoutIoOnlyWithoutATokenOrForATokenAlreadyChecked() throws Exception {
    CallerAuthenticator payments = authenticators.forAudience(PAYMENTS);
    String jwt = bulwark.es256(claims().build());
    String opaque = bulwark.opaqueToken(PAYMENTS, clock.instant().plusSeconds(300), a -> a);

    assertThat(payments.answersWithoutIo(Optional.empty())).isTrue();
    assertThat(payments.answersWithoutIo(Optional.of("Basic dXNlcjpwYXNz"))).isTrue();
    assertThat(payments.answersWithoutIo(Optional.of("Bearer " + jwt))).isFalse();
    assertThat(payments.answersWithoutIo(Optional.of("Bearer " + opaque))).isFalse();

    assertThat(payments(jwt)).isInstanceOf(Authenticated.class);
    assertThat(payments(opaque)).isInstanceOf(Authenticated.class);

    assertThat(payments.answersWithoutIo(Optional.of("Bearer " + jwt))).isTrue();
    assertThat(payments.answersWithoutIo(Optional.of("Bearer " + opaque))).isTrue();
    // A token never seen, even from the same issuer, may need its keys fetched.
    assertThat(payments.answersWithoutIo(Optional.of("Bearer " + bulwark.es256(claims().build()))))
        .isFalse();
  }

  @Test
  void refusesMissingTokenWithBareChallenge() {
    Authentication result =
        authenticators.forAudience(PAYMENTS).authenticate(Optional.empty(), Optional.empty());

    assertThat(((Challenged) result).status()).isEqualTo(401);
    assertThat(((Challenged) result).wwwAuthenticate()).isEqualTo("Bearer realm=\"bulwark\"");
  }

  @Test
  void refusesUnsignedTokenWithAlgNone() {
    String unsigned = new PlainJWT(claims().build()).serialize();

    assertRefused(payments(unsigned), Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void refusesHs256SignedWithThePublicKeyAsSecret() throws Exception {
    // The classic confusion: the issuer's public key (DER, as a verifier would load it) as secret.
    byte[] publicKeyBytes = bulwark.ecKey.toECPublicKey().getEncoded();
    String forged =
        TestIssuer.sign(new MACSigner(publicKeyBytes), JWSAlgorithm.HS256, "k1", claims().build());

    assertRefused(payments(forged), Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void refusesAlgorithmOutsideTheIssuersAllowList() throws Exception {
    // The key is really the issuer's and published in its JWKS, but only ES256/EdDSA are trusted.
    assertRefused(payments(bulwark.rs256(claims().build())), Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void refusesUntrustedIssuer() throws Exception {
    String token = bulwark.es256(claims().issuer("https://evil.example").build());

    assertRefused(payments(token), Reason.WRONG_ISSUER);
  }

  @Test
  void refusesTokenSignedByOneIssuerClaimingAnother() throws Exception {
    // Signed with keycloak's RS256 key, claiming bulwark: bulwark's verifier and keys decide.
    String token = keycloak.rs256(claims().issuer(bulwark.issuer()).build());
    Authentication result = payments(token);

    assertThat(result).isInstanceOf(Challenged.class);
    assertThat(((Challenged) result).status()).isEqualTo(401);
  }

  @Test
  void refusesTokenSignedWithAnotherIssuersKeyUnderTheSameKid() throws Exception {
    // Both issuers' EC keys are "k1": the signature must still be checked against bulwark's.
    String token =
        TestIssuer.sign(
            new ECDSASigner(keycloak.ecKey), JWSAlgorithm.ES256, "k1", claims().build());

    assertRefused(payments(token), Reason.BAD_SIGNATURE);
  }

  @Test
  void refusesTokenForAnotherAudience() throws Exception {
    assertRefused(
        payments(bulwark.es256(bulwark.claims(PROFILES, clock.instant()).build())),
        Reason.WRONG_AUDIENCE);
  }

  @Test
  void refusesExpiredTokenBeyondSkewButAcceptsWithinSkew() throws Exception {
    Instant now = clock.instant();
    String withinSkew =
        bulwark.es256(claims().expirationTime(Date.from(now.minusSeconds(20))).build());
    String beyondSkew =
        bulwark.es256(claims().expirationTime(Date.from(now.minusSeconds(40))).build());

    assertThat(payments(withinSkew)).isInstanceOf(Authenticated.class);
    assertRefused(payments(beyondSkew), Reason.EXPIRED);
  }

  @Test
  void refusesNotBeforeAndIssuedAtInTheFutureBeyondSkew() throws Exception {
    Instant now = clock.instant();
    String notYet = bulwark.es256(claims().notBeforeTime(Date.from(now.plusSeconds(60))).build());
    String fromTheFuture =
        bulwark.es256(claims().issueTime(Date.from(now.plusSeconds(60))).build());
    String slightlyAhead =
        bulwark.es256(
            claims()
                .issueTime(Date.from(now.plusSeconds(20)))
                .notBeforeTime(Date.from(now.plusSeconds(20)))
                .build());

    assertRefused(payments(notYet), Reason.NOT_YET_VALID);
    assertRefused(payments(fromTheFuture), Reason.NOT_YET_VALID);
    assertThat(payments(slightlyAhead)).isInstanceOf(Authenticated.class);
  }

  @Test
  void refusesTokenWhoseTypIsNotAtJwt() throws Exception {
    SignedJWT idToken =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").type(JOSEObjectType.JWT).build(),
            claims().build());
    idToken.sign(new ECDSASigner(bulwark.ecKey));

    assertRefused(payments(idToken.serialize()), Reason.WRONG_TYPE);
  }

  @Test
  void unknownKidFloodFetchesTheJwksAtMostTwice() throws Exception {
    for (int i = 0; i < 100; i++) {
      String token =
          TestIssuer.sign(
              new ECDSASigner(bulwark.ecKey),
              JWSAlgorithm.ES256,
              UUID.randomUUID().toString(),
              claims().build());
      assertThat(payments(token)).isInstanceOf(Challenged.class);
    }

    assertThat(bulwark.jwksFetches.get()).isBetween(1, 2);
  }

  @Test
  void routesOfOneIssuerShareOneJwksFetch() throws Exception {
    Authentication forPayments = payments(bulwark.es256(claims().build()));
    Authentication forProfiles =
        authenticators
            .forAudience(PROFILES)
            .authenticate(
                Optional.of(
                    "Bearer " + bulwark.es256(bulwark.claims(PROFILES, clock.instant()).build())),
                Optional.empty());

    assertThat(forPayments).isInstanceOf(Authenticated.class);
    assertThat(forProfiles).isInstanceOf(Authenticated.class);
    assertThat(bulwark.jwksFetches.get()).isEqualTo(1);
  }

  @Test
  void acceptsTokensOfBothTrustedIssuersOnTheSameRoute() throws Exception {
    Authentication fromBulwark = payments(bulwark.es256(claims().build()));
    Authentication fromKeycloak =
        payments(keycloak.rs256(keycloak.claims(PAYMENTS, clock.instant()).build()));

    assertThat(fromBulwark).isInstanceOf(Authenticated.class);
    assertThat(fromKeycloak).isInstanceOf(Authenticated.class);
    assertThat(((Authenticated) fromKeycloak).token().issuer()).isEqualTo(keycloak.issuer());
  }

  @Test
  void acceptsEdDsaToken() throws Exception {
    assertThat(payments(bulwark.eddsa(claims().build()))).isInstanceOf(Authenticated.class);
  }

  @Test
  void knownKeysKeepWorkingWhileTheIssuerIsDown() throws Exception {
    try (CallerAuthenticators shortCache = withShortKeyCache(Duration.ofHours(1))) {
      CallerAuthenticator route = shortCache.forAudience(PAYMENTS);
      String token = "Bearer " + bulwark.es256(claims().build());
      assertThat(route.authenticate(Optional.of(token), Optional.empty()))
          .isInstanceOf(Authenticated.class);

      bulwark.close();
      Thread.sleep(400); // past the 300 ms cache lifetime: the fetch fails, the outage is tolerated

      assertThat(route.authenticate(Optional.of(token), Optional.empty()))
          .isInstanceOf(Authenticated.class);
    }
  }

  @Test
  void failsClosedOnceTheOutageLastsLongerThanTolerated() throws Exception {
    try (CallerAuthenticators shortCache = withShortKeyCache(Duration.ofMillis(400))) {
      CallerAuthenticator route = shortCache.forAudience(PAYMENTS);
      String token = "Bearer " + bulwark.es256(claims().build());
      assertThat(route.authenticate(Optional.of(token), Optional.empty()))
          .isInstanceOf(Authenticated.class);

      bulwark.close();
      Thread.sleep(1_000);
      // The verified-token cache ages by the verifier's clock: it lives no longer than the keys.
      clock.advance(Duration.ofSeconds(1));

      assertUnavailable(route.authenticate(Optional.of(token), Optional.empty()));
    }
  }

  private CallerAuthenticators withShortKeyCache(Duration outageTolerance) {
    IssuerKeys.Options keys =
        new IssuerKeys.Options(
            Duration.ofMillis(300),
            Duration.ZERO,
            Duration.ofMillis(100),
            outageTolerance,
            Duration.ofMillis(500));
    CallerAuthenticators.Options defaults = CallerAuthenticators.Options.defaults();
    return CallerAuthenticators.create(
        List.of(TrustedIssuer.ofJwts(bulwark.issuer(), bulwark.jwksUri(), Set.of("ES256"))),
        tls,
        clock,
        new CallerAuthenticators.Options(
            keys,
            defaults.activeAnswerTtl(),
            defaults.inactiveAnswerTtl(),
            defaults.maxCachedAnswers(),
            defaults.introspectionTimeout()));
  }

  @Test
  void acceptsActiveOpaqueTokenAndServesItsSecondUseFromCache() {
    String token = bulwark.opaqueToken(PAYMENTS, clock.instant().plusSeconds(300), a -> a);

    Authentication first = payments(token);
    Authentication second = payments(token);

    assertThat(first).isInstanceOf(Authenticated.class);
    assertThat(((Authenticated) first).token().subject()).isEqualTo("user-1");
    assertThat(second).isInstanceOf(Authenticated.class);
    assertThat(bulwark.introspections.get()).isEqualTo(1);
  }

  @Test
  void refusesInactiveOpaqueTokenAndRemembersItBriefly() {
    assertRefused(payments("garbage-token"), Reason.INACTIVE);
    assertRefused(payments("garbage-token"), Reason.INACTIVE);
    assertThat(bulwark.introspections.get()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(6));
    assertRefused(payments("garbage-token"), Reason.INACTIVE);
    assertThat(bulwark.introspections.get()).isEqualTo(2);
  }

  @Test
  void keepsNoCachedAnswerPastTheTokensExpiry() {
    String token = bulwark.opaqueToken(PAYMENTS, clock.instant().plusSeconds(10), a -> a);
    assertThat(payments(token)).isInstanceOf(Authenticated.class);

    clock.advance(Duration.ofSeconds(11));
    bulwark.opaque.get(token).put("active", false);

    assertRefused(payments(token), Reason.INACTIVE);
    assertThat(bulwark.introspections.get()).isEqualTo(2);
  }

  @Test
  void keepsNoCachedAnswerLongerThanTheConfiguredMaximum() {
    String token = bulwark.opaqueToken(PAYMENTS, clock.instant().plusSeconds(3600), a -> a);
    assertThat(payments(token)).isInstanceOf(Authenticated.class);

    clock.advance(Duration.ofSeconds(31));
    bulwark.opaque.get(token).put("active", false); // revoked meanwhile

    assertRefused(payments(token), Reason.INACTIVE);
  }

  @Test
  void refusesOpaqueTokenForAnotherAudienceEvenFromCache() {
    String token = bulwark.opaqueToken(PROFILES, clock.instant().plusSeconds(300), a -> a);

    assertRefused(payments(token), Reason.WRONG_AUDIENCE);
    assertThat(
            authenticators
                .forAudience(PROFILES)
                .authenticate(Optional.of("Bearer " + token), Optional.empty()))
        .isInstanceOf(Authenticated.class);
    assertThat(bulwark.introspections.get()).isEqualTo(1);
  }

  @Test
  void refusesOpaqueAnswerNamingAnotherIssuer() {
    String token =
        bulwark.opaqueToken(
            PAYMENTS, clock.instant().plusSeconds(300), a -> a.put("iss", keycloak.issuer()));

    assertRefused(payments(token), Reason.WRONG_ISSUER);
  }

  @Test
  void answers503WhenIntrospectionFailsAndAsksAgainNextTime() {
    String token = bulwark.opaqueToken(PAYMENTS, clock.instant().plusSeconds(300), a -> a);
    bulwark.introspectionDown.set(true);

    assertUnavailable(payments(token));

    bulwark.introspectionDown.set(false);
    assertThat(payments(token)).isInstanceOf(Authenticated.class);
  }

  @Test
  void answers503WhenTheIntrospectionEndpointIsUnreachable() {
    try (CallerAuthenticators unreachable =
        CallerAuthenticators.create(
            List.of(
                new TrustedIssuer(
                    "https://gone.example",
                    Optional.empty(),
                    Set.of(),
                    Optional.of(
                        new Introspection(
                            URI.create("https://127.0.0.1:1/introspect"),
                            "gateway",
                            ClientSecret.of("x".toCharArray()))),
                    Duration.ZERO)),
            tls,
            clock)) {
      assertUnavailable(
          unreachable
              .forAudience(PAYMENTS)
              .authenticate(Optional.of("Bearer opaque-token"), Optional.empty()));
    }
  }

  @Test
  void acceptsCertificateBoundTokenOnlyWithThatCertificate() throws Exception {
    X509Certificate mine = certificate("caller");
    X509Certificate other = certificate("other");
    String token =
        bulwark.es256(
            claims().claim("cnf", Map.of("x5t#S256", CertificateBinding.thumbprint(mine))).build());
    CallerAuthenticator route = authenticators.forAudience(PAYMENTS);

    Authentication withMine = route.authenticate(Optional.of("Bearer " + token), Optional.of(mine));
    Authentication withOther =
        route.authenticate(Optional.of("Bearer " + token), Optional.of(other));
    Authentication withNone = route.authenticate(Optional.of("Bearer " + token), Optional.empty());

    assertThat(withMine).isInstanceOf(Authenticated.class);
    assertThat(((Authenticated) withMine).token().certificateThumbprint())
        .contains(CertificateBinding.thumbprint(mine));
    assertRefused(withOther, Reason.CERTIFICATE_MISMATCH);
    assertRefused(withNone, Reason.CERTIFICATE_MISMATCH);
  }

  @Test
  void refusesTokenWithMalformedCnfRatherThanTreatingItAsUnbound() throws Exception {
    String notAnObject = bulwark.es256(claims().claim("cnf", "x").build());
    String dpopBinding = bulwark.es256(claims().claim("cnf", Map.of("jkt", "abc")).build());
    String shortDigest =
        bulwark.es256(
            claims().claim("cnf", Map.of("x5t#S256", Base64URL.encode("x").toString())).build());

    assertRefused(payments(notAnObject), Reason.MALFORMED);
    assertRefused(payments(dpopBinding), Reason.MALFORMED);
    assertRefused(payments(shortDigest), Reason.MALFORMED);
  }

  @Test
  void appliesCertificateBindingToIntrospectedTokens() throws Exception {
    X509Certificate mine = certificate("caller");
    String token =
        bulwark.opaqueToken(
            PAYMENTS,
            clock.instant().plusSeconds(300),
            a -> {
              a.putObject("cnf").put("x5t#S256", CertificateBinding.thumbprint(mine));
              return a;
            });
    CallerAuthenticator route = authenticators.forAudience(PAYMENTS);

    assertThat(route.authenticate(Optional.of("Bearer " + token), Optional.of(mine)))
        .isInstanceOf(Authenticated.class);
    assertRefused(
        route.authenticate(Optional.of("Bearer " + token), Optional.empty()),
        Reason.CERTIFICATE_MISMATCH);
  }

  private X509Certificate certificate(String name) throws Exception {
    return authority
        .issueEndpointCertificate(
            name, List.of(), List.of(InetAddress.getByName("127.0.0.1")), Duration.ofHours(1))
        .leaf();
  }

  @Test
  void trustedIssuerRefusesNoneAndHmacAlgorithms() {
    assertThatThrownBy(
            () -> TrustedIssuer.ofJwts(bulwark.issuer(), bulwark.jwksUri(), Set.of("none")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("algorithms: none");
    assertThatThrownBy(
            () -> TrustedIssuer.ofJwts(bulwark.issuer(), bulwark.jwksUri(), Set.of("HS256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("algorithms: HS256");
  }

  @Test
  void clientSecretNeverShowsInText() {
    Introspection introspection = bulwark.introspection();

    assertThat(introspection.toString()).doesNotContain(TestIssuer.CLIENT_SECRET).contains("***");
  }
}
