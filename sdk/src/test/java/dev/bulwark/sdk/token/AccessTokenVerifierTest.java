package dev.bulwark.sdk.token;

import static dev.bulwark.sdk.token.TestTokens.AUDIENCE;
import static dev.bulwark.sdk.token.TestTokens.CLIENT_ID;
import static dev.bulwark.sdk.token.TestTokens.ISSUER;
import static dev.bulwark.sdk.token.TestTokens.KEY_ID;
import static dev.bulwark.sdk.token.TestTokens.LIFETIME;
import static dev.bulwark.sdk.token.TestTokens.NOW;
import static dev.bulwark.sdk.token.TestTokens.SUBJECT;
import static dev.bulwark.sdk.token.TestTokens.TOKEN_ID;
import static dev.bulwark.sdk.token.TestTokens.token;
import static dev.bulwark.sdk.token.TestTokens.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenVerifierTest {
  private final AccessTokenVerifier verifier = verifier().build();

  // --- a valid token ---

  @Test
  void verifiesValidEs256TokenAndExposesItsClaims() {
    TokenVerification result = verifier.verify(token().serialize());

    assertThat(result)
        .isInstanceOfSatisfying(
            Verified.class,
            verified -> {
              AccessToken token = verified.token();
              assertThat(token.issuer()).isEqualTo(ISSUER);
              assertThat(token.subject()).isEqualTo(SUBJECT);
              assertThat(token.clientId()).isEqualTo(CLIENT_ID);
              assertThat(token.audiences()).containsExactly(AUDIENCE);
              assertThat(token.scopes()).containsExactlyInAnyOrder("orders:read", "orders:write");
              assertThat(token.hasScope("orders:read")).isTrue();
              assertThat(token.hasScope("orders:delete")).isFalse();
              assertThat(token.issuedAt()).isEqualTo(NOW);
              assertThat(token.expiresAt()).isEqualTo(NOW.plus(LIFETIME));
              assertThat(token.tokenId()).isEqualTo(TOKEN_ID);
            });
  }

  @Test
  void acceptsTokenNamingThisAudienceAmongOthers() {
    String compact =
        token().claim("aud", List.of("https://billing.bulwark.test", AUDIENCE)).serialize();

    assertThat(verifier.verify(compact)).isInstanceOf(Verified.class);
  }

  @Test
  void exposesRolesGroupsAndAuthenticationMethods() {
    String compact =
        token()
            .claim("roles", List.of("finance", "auditor"))
            .claim("groups", "emea payments")
            .claim("amr", List.of("pwd", "otp"))
            .serialize();

    AccessToken token = ((Verified) verifier.verify(compact)).token();
    assertThat(token.roles()).containsExactlyInAnyOrder("finance", "auditor");
    assertThat(token.groups()).containsExactlyInAnyOrder("emea", "payments");
    assertThat(token.authenticationMethods()).containsExactlyInAnyOrder("pwd", "otp");
    assertThat(token.isMultiFactor()).isTrue();
  }

  @Test
  void aPasswordAloneIsNotMultiFactorAndAbsentClaimsGrantNothing() {
    AccessToken plain = ((Verified) verifier.verify(token().serialize())).token();
    assertThat(plain.roles()).isEmpty();
    assertThat(plain.groups()).isEmpty();
    assertThat(plain.isMultiFactor()).isFalse();

    AccessToken pwd =
        ((Verified) verifier.verify(token().claim("amr", List.of("pwd")).serialize())).token();
    assertThat(pwd.isMultiFactor()).isFalse();
  }

  @Test
  void malformedRoleClaimsCountAsAbsentNeverAsAGrant() {
    String compact =
        token()
            .claim("roles", List.of("finance", 7))
            .claim("groups", java.util.Map.of("admin", true))
            .claim("amr", "otp")
            .serialize();

    AccessToken token = ((Verified) verifier.verify(compact)).token();
    assertThat(token.roles()).isEmpty();
    assertThat(token.groups()).isEmpty();
    assertThat(token.authenticationMethods()).containsExactly("otp");
  }

  // --- unsigned, forged and tampered tokens ---

  @Test
  void rejectsTokenSignedWithNoneAlgorithm() {
    String compact =
        TestTokens.unsigned(
            "{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"" + KEY_ID + "\"}",
            token().claims().toString());

    assertRejected(verifier.verify(compact), Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"None", "NONE", ""})
  void rejectsTokenWithVariantOfNoneAlgorithmAndEmptySignature(String none) {
    String compact =
        TestTokens.unsigned(
            "{\"alg\":\"" + none + "\",\"typ\":\"at+jwt\",\"kid\":\"" + KEY_ID + "\"}",
            token().claims().toString());

    assertThat(verifier.verify(compact)).isInstanceOf(Rejected.class);
  }

  @Test
  void rejectsTokenWithOneSignatureByteFlipped() {
    String[] parts = token().serialize().split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[signature.length / 2] ^= 0x01;
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);

    assertRejected(verifier.verify(tampered), Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsTokenWhoseClaimsWereAlteredAfterSigning() {
    String[] parts = token().serialize().split("\\.");
    String escalated = TestTokens.base64Url(token().claim("scope", "admin").claims().toString());

    assertRejected(
        verifier.verify(parts[0] + "." + escalated + "." + parts[2]), Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsTokenSignedByAnotherKeyWithTheSameKid() {
    ECKey impostor = TestTokens.newEcKey(KEY_ID);

    String compact = token().signedBy(impostor).serialize();

    assertRejected(verifier.verify(compact), Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsHs256TokenKeyedWithTheIssuersPublicKey() throws Exception {
    byte[] publicKeyBytes = TestTokens.issuerKey().toECPublicKey().getEncoded();

    String forged =
        token().algorithm(JWSAlgorithm.HS256).signedWith(new MACSigner(publicKeyBytes)).serialize();

    assertRejected(verifier.verify(forged), Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsHs256TokenKeyedWithTheIssuersPublicJwk() throws Exception {
    byte[] publicJwk =
        TestTokens.issuerKey().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);

    String forged =
        token().algorithm(JWSAlgorithm.HS256).signedWith(new MACSigner(publicJwk)).serialize();

    assertRejected(verifier.verify(forged), Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512", "none"})
  void builderRefusesSymmetricOrNoneAlgorithms(String algorithm) {
    AccessTokenVerifier.Builder builder = verifier();
    JWSAlgorithm refused = JWSAlgorithm.parse(algorithm);

    assertThatThrownBy(() -> builder.algorithms(Set.of(refused)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(algorithm);
  }

  @Test
  void builderRefusesHs256EvenAlongsideAnAsymmetricAlgorithm() {
    AccessTokenVerifier.Builder builder = verifier();

    assertThatThrownBy(() -> builder.algorithms(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.HS256)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderRefusesAnEmptyAlgorithmList() {
    AccessTokenVerifier.Builder builder = verifier();

    assertThatThrownBy(() -> builder.algorithms(Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsRs256TokenWhenOnlyEs256IsAllowed() {
    RSAKey rsa = TestTokens.issuerRsaKey();
    AccessTokenVerifier es256Only =
        TestTokens.verifierTrusting(TestTokens.issuerKey().toPublicJWK(), rsa.toPublicJWK())
            .build();

    String compact = token().signedBy(rsa).serialize();

    assertRejected(es256Only.verify(compact), Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void verifiesRs256TokenWhenRs256IsAllowed() {
    RSAKey rsa = TestTokens.issuerRsaKey();
    AccessTokenVerifier rs256Allowed =
        TestTokens.verifierTrusting(rsa.toPublicJWK())
            .algorithms(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256))
            .build();

    String compact = token().signedBy(rsa).serialize();

    assertThat(rs256Allowed.verify(compact)).isInstanceOf(Verified.class);
  }

  @Test
  void rejectsEncryptedJwt() throws Exception {
    OctetSequenceKey contentKey = new OctetSequenceKeyGenerator(256).generate();
    EncryptedJWT jwe =
        new EncryptedJWT(
            new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            token().claims());
    jwe.encrypt(new DirectEncrypter(contentKey));

    assertRejected(verifier.verify(jwe.serialize()), Reason.UNSUPPORTED_ALGORITHM);
  }

  // --- lifetime ---

  @Test
  void rejectsExpiredToken() {
    String compact =
        token()
            .issuedAt(NOW.minus(LIFETIME).minusSeconds(31))
            .expiresAt(NOW.minusSeconds(31))
            .serialize();

    assertRejected(
        verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact), Reason.EXPIRED);
  }

  @Test
  void acceptsTokenExpiredWithinClockSkew() {
    String compact =
        token()
            .issuedAt(NOW.minus(LIFETIME).minusSeconds(20))
            .expiresAt(NOW.minusSeconds(20))
            .serialize();

    assertThat(verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact))
        .isInstanceOf(Verified.class);
  }

  @Test
  void rejectsTokenAtTheInstantItExpiresWithoutClockSkew() {
    String compact = token().issuedAt(NOW.minus(LIFETIME)).expiresAt(NOW).serialize();

    assertRejected(verifier().clockSkew(Duration.ZERO).build().verify(compact), Reason.EXPIRED);
  }

  @Test
  void rejectsTokenWhoseNotBeforeIsInTheFuture() {
    String compact = token().notBefore(NOW.plusSeconds(120)).serialize();

    assertRejected(
        verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact), Reason.NOT_YET_VALID);
  }

  @Test
  void acceptsTokenWhoseNotBeforeIsWithinClockSkew() {
    String compact = token().notBefore(NOW.plusSeconds(20)).serialize();

    assertThat(verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact))
        .isInstanceOf(Verified.class);
  }

  @Test
  void rejectsTokenIssuedInTheFutureBeyondClockSkew() {
    String compact =
        token()
            .issuedAt(NOW.plusSeconds(120))
            .expiresAt(NOW.plusSeconds(120).plus(LIFETIME))
            .serialize();

    assertRejected(
        verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact), Reason.NOT_YET_VALID);
  }

  @Test
  void acceptsTokenIssuedInTheFutureWithinClockSkew() {
    String compact = token().issuedAt(NOW.plusSeconds(20)).serialize();

    assertThat(verifier().clockSkew(Duration.ofSeconds(30)).build().verify(compact))
        .isInstanceOf(Verified.class);
  }

  // --- issuer, audience, type, key ---

  @Test
  void rejectsTokenForAnotherAudience() {
    String compact = token().claim("aud", List.of("https://billing.bulwark.test")).serialize();

    assertRejected(verifier.verify(compact), Reason.WRONG_AUDIENCE);
  }

  @Test
  void rejectsTokenWithoutAudience() {
    String compact = token().without("aud").serialize();

    assertRejected(verifier.verify(compact), Reason.WRONG_AUDIENCE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://evil.bulwark.test",
        "https://id.bulwark.test/",
        "https://id.bulwark.test.evil"
      })
  void rejectsTokenFromAnotherIssuer(String issuer) {
    String compact = token().claim("iss", issuer).serialize();

    assertRejected(verifier.verify(compact), Reason.WRONG_ISSUER);
  }

  @Test
  void rejectionDescriptionDoesNotEchoTheTokensClaims() {
    String compact = token().claim("iss", "https://evil.example/\"><script>").serialize();

    assertThat(verifier.verify(compact))
        .isInstanceOfSatisfying(
            Rejected.class,
            rejected ->
                assertThat(rejected.description()).doesNotContain("evil").doesNotContain(compact));
  }

  @ParameterizedTest
  @ValueSource(strings = {"JWT", "jwt", "application/jwt"})
  void rejectsTokenWhoseTypeIsNotAtJwt(String type) {
    String compact = token().type(type).serialize();

    assertRejected(verifier.verify(compact), Reason.WRONG_TYPE);
  }

  @Test
  void rejectsTokenWithoutType() {
    String compact = token().type(null).serialize();

    assertRejected(verifier.verify(compact), Reason.WRONG_TYPE);
  }

  @Test
  void acceptsApplicationAtJwtType() {
    String compact = token().type("application/at+jwt").serialize();

    assertThat(verifier.verify(compact)).isInstanceOf(Verified.class);
  }

  @Test
  void rejectsTokenWithUnknownKid() {
    String compact = token().keyId("rotated-away").serialize();

    assertRejected(verifier.verify(compact), Reason.UNKNOWN_KEY);
  }

  // --- claims and shape ---

  @ParameterizedTest
  @ValueSource(strings = {"client_id", "jti", "exp", "sub", "iat"})
  void rejectsTokenMissingRequiredClaim(String claim) {
    String compact = token().without(claim).serialize();

    assertRejected(verifier.verify(compact), Reason.MISSING_CLAIM);
  }

  @Test
  void rejectsTokenWhoseClientIdIsNotAString() {
    String compact = token().claim("client_id", List.of(CLIENT_ID)).serialize();

    assertRejected(verifier.verify(compact), Reason.MISSING_CLAIM);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "....",
        "%%%.%%%.%%%",
        "eyJhbGciOiJFUzI1NiJ9",
        "eyJhbGciOiJFUzI1NiJ9.e30",
        "{\"alg\":\"ES256\"}.{}.sig"
      })
  void rejectsGarbageAsMalformed(String garbage) {
    assertRejected(verifier.verify(garbage), Reason.MALFORMED);
  }

  // --- builder ---

  @Test
  void builderRejectsPrivateKeys() {
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder();
    JWKSet withPrivateKey = new JWKSet(TestTokens.issuerKey());

    assertThatThrownBy(() -> builder.keys(withPrivateKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("private");
  }

  @Test
  void builderRejectsSymmetricKeys() throws Exception {
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder();
    JWKSet withSecret = new JWKSet(new OctetSequenceKeyGenerator(256).keyID(KEY_ID).generate());

    assertThatThrownBy(() -> builder.keys(withSecret)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderRequiresIssuer() {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder()
            .audience(AUDIENCE)
            .keys(new JWKSet(TestTokens.issuerKey().toPublicJWK()));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("issuer");
  }

  @Test
  void builderRequiresAudience() {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder()
            .issuer(ISSUER)
            .keys(new JWKSet(TestTokens.issuerKey().toPublicJWK()));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("audience");
  }

  @Test
  void builderRequiresKeys() {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder().issuer(ISSUER).audience(AUDIENCE);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keys");
  }

  @Test
  void builderRejectsBlankIssuer() {
    AccessTokenVerifier.Builder builder = verifier().issuer(" ");

    assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builderRejectsClockSkewAboveFiveMinutes() {
    AccessTokenVerifier.Builder builder = verifier();

    assertThatThrownBy(() -> builder.clockSkew(Duration.ofMinutes(5).plusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderRejectsNegativeClockSkew() {
    AccessTokenVerifier.Builder builder = verifier();

    assertThatThrownBy(() -> builder.clockSkew(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builderAcceptsClockSkewOfExactlyFiveMinutes() {
    AccessTokenVerifier.Builder builder = verifier();

    assertThatCode(() -> builder.clockSkew(Duration.ofMinutes(5))).doesNotThrowAnyException();
  }

  @Test
  void builderRejectsPlainHttpJwksUri() throws Exception {
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder();
    URI plainHttp = URI.create("http://id.bulwark.test/.well-known/jwks.json");
    SSLContext tls = SSLContext.getDefault();

    assertThatThrownBy(() -> builder.jwksUri(plainHttp, tls))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  // --- fail closed ---

  @Test
  void failsClosedWithKeysUnavailableWhenJwksEndpointIsUnreachable() throws Exception {
    AccessTokenVerifier unreachable =
        AccessTokenVerifier.builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .jwksUri(TestTokens.unusedLoopbackJwksUri(), SSLContext.getDefault())
            .clock(TestTokens.clockAt(NOW))
            .build();
    String wellFormed = token().serialize();

    assertRejected(unreachable.verify(wellFormed), Reason.KEYS_UNAVAILABLE);
    assertRejected(unreachable.verify(wellFormed), Reason.KEYS_UNAVAILABLE);
  }

  private static void assertRejected(TokenVerification result, Reason reason) {
    assertThat(result)
        .isInstanceOfSatisfying(
            Rejected.class, rejected -> assertThat(rejected.reason()).isEqualTo(reason));
  }
}
