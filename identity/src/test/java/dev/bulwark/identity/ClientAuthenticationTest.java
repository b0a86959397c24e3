package dev.bulwark.identity;

import static dev.bulwark.identity.TestIdentityProvider.PAYMENTS;
import static dev.bulwark.identity.TestIdentityProvider.basic;
import static dev.bulwark.identity.TestIdentityProvider.encode;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.ClientRegistration.ClientAuthMethod;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** private_key_jwt (RFC 7523) and tls_client_auth (RFC 8705) at the token endpoint. */
class ClientAuthenticationTest {
  private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  @TempDir Path dir;
  private TestIdentityProvider idp;
  private ECKey clientKey;

  @BeforeEach
  void start() throws IOException, JOSEException {
    idp =
        TestIdentityProvider.start(
            dir,
            TestIdentityProvider.authority(),
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])));
    clientKey = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    idp.provider.registerClientWithoutSecret(
        ClientRegistration.builder("signer", "Signer")
            .audiences(Set.of(PAYMENTS))
            .authMethod(ClientAuthMethod.PRIVATE_KEY_JWT)
            .jwks(new JWKSet(clientKey.toPublicJWK()).toString())
            .build());
    idp.provider.registerClientWithoutSecret(
        ClientRegistration.builder("agent", "Agent")
            .audiences(Set.of(PAYMENTS))
            .authMethod(ClientAuthMethod.TLS_CLIENT_AUTH)
            // RFC 4514 writes the most specific RDN first; the test CA encodes CN before O, so
            // its certificates' subjects read O=Bulwark,CN=... (the order is significant).
            .tlsSubjectDn("O=Bulwark,CN=agent")
            .build());
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer("signer")
        .subject("signer")
        .audience(idp.provider.tokenEndpoint().toString())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(60)))
        .jwtID(UUID.randomUUID().toString());
  }

  private String signed(JWTClaimsSet claims, ECKey key) throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  private HttpResponse<String> withAssertion(String assertion) {
    return idp.post(
        "/token",
        "grant_type=client_credentials&client_assertion_type="
            + encode(JWT_BEARER)
            + "&client_assertion="
            + encode(assertion),
        Optional.empty());
  }

  private static void assertInvalidClient(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_client");
  }

  @Test
  void privateKeyJwtIsAccepted() throws Exception {
    HttpResponse<String> response = withAssertion(signed(claims().build(), clientKey));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void privateKeyJwtWithTheIssuerAsAudienceIsAccepted() throws Exception {
    HttpResponse<String> response =
        withAssertion(signed(claims().audience(idp.provider.issuer()).build(), clientKey));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void replayedAssertionIsRefused() throws Exception {
    String assertion = signed(claims().build(), clientKey);
    assertThat(withAssertion(assertion).statusCode()).isEqualTo(200);

    assertInvalidClient(withAssertion(assertion));
    assertThat(idp.audited)
        .anyMatch(
            e -> e.action().equals("client.login") && e.reason().orElse("").contains("replay"));
  }

  @Test
  void assertionForAnotherAudienceIsRefused() throws Exception {
    assertInvalidClient(
        withAssertion(
            signed(claims().audience("https://elsewhere.example/token").build(), clientKey)));
  }

  @Test
  void expiredAssertionIsRefused() throws Exception {
    Instant past = Instant.now().minus(Duration.ofMinutes(10));
    assertInvalidClient(
        withAssertion(
            signed(
                claims()
                    .issueTime(Date.from(past))
                    .expirationTime(Date.from(past.plusSeconds(60)))
                    .build(),
                clientKey)));
  }

  @Test
  void longLivedAssertionIsRefused() throws Exception {
    assertInvalidClient(
        withAssertion(
            signed(
                claims().expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build(),
                clientKey)));
  }

  @Test
  void assertionWithoutJtiIsRefused() throws Exception {
    assertInvalidClient(withAssertion(signed(claims().jwtID(null).build(), clientKey)));
  }

  @Test
  void assertionWhoseIssuerIsNotTheClientIsRefused() throws Exception {
    assertInvalidClient(withAssertion(signed(claims().issuer("someone").build(), clientKey)));
  }

  @Test
  void unsignedAssertionIsRefused() {
    assertInvalidClient(withAssertion(new PlainJWT(claims().build()).serialize()));
  }

  @Test
  void hmacAssertionIsRefused() throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    jwt.sign(new MACSigner(new byte[32]));

    assertInvalidClient(withAssertion(jwt.serialize()));
  }

  @Test
  void assertionSignedByAnotherKeyIsRefused() throws Exception {
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();

    assertInvalidClient(withAssertion(signed(claims().build(), other)));
  }

  @Test
  void privateKeyJwtClientCannotUseAPassword() {
    assertInvalidClient(
        idp.token("grant_type=client_credentials", Optional.of(basic("signer", "guess-guess"))));
  }

  @Test
  void assertionTogetherWithBasicIsInvalidRequest() throws Exception {
    HttpResponse<String> response =
        idp.post(
            "/token",
            "grant_type=client_credentials&client_assertion_type="
                + encode(JWT_BEARER)
                + "&client_assertion="
                + encode(signed(claims().build(), clientKey)),
            Optional.of(basic("shop", idp.shopSecret.reveal())));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void confidentialClientNamingItselfWithoutASecretIsRefused() {
    assertInvalidClient(
        idp.post("/token", "grant_type=client_credentials&client_id=shop", Optional.empty()));
  }

  @Test
  void unknownClientNamingItselfIsRefused() {
    assertInvalidClient(
        idp.post("/token", "grant_type=client_credentials&client_id=nobody", Optional.empty()));
  }

  @Test
  void tlsClientAuthIssuesACertificateBoundToken() throws Exception {
    HttpClient agent = idp.httpWithCertificate("agent");

    HttpResponse<String> response =
        idp.post(
            agent, "/token", "grant_type=client_credentials&client_id=agent", Optional.empty());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    SSLSession session = response.sslSession().orElseThrow();
    X509Certificate presented = (X509Certificate) session.getLocalCertificates()[0];
    String expected =
        Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(presented.getEncoded()))
            .toString();
    Map<String, Object> cnf =
        SignedJWT.parse(json(response).path("access_token").asString())
            .getJWTClaimsSet()
            .getJSONObjectClaim("cnf");
    assertThat(cnf).containsEntry("x5t#S256", expected);
    JsonNode introspected =
        json(
            idp.introspect(
                json(response).path("access_token").asString(),
                Optional.of(basic("shop", idp.shopSecret.reveal()))));
    assertThat(introspected.path("cnf").path("x5t#S256").asString()).isEqualTo(expected);
  }

  @Test
  void tlsClientAuthWithAnotherCertificateIsRefused() {
    HttpClient intruder = idp.httpWithCertificate("intruder");

    assertInvalidClient(
        idp.post(
            intruder, "/token", "grant_type=client_credentials&client_id=agent", Optional.empty()));
  }

  @Test
  void tlsClientAuthWithoutACertificateIsRefused() {
    assertInvalidClient(
        idp.post("/token", "grant_type=client_credentials&client_id=agent", Optional.empty()));
  }

  @Test
  void secretClientTokensAreNotCertificateBound() throws Exception {
    HttpClient withCert = idp.httpWithCertificate("agent");
    HttpResponse<String> response =
        idp.post(
            withCert,
            "/token",
            "grant_type=client_credentials",
            Optional.of(basic("shop", idp.shopSecret.reveal())));

    assertThat(
            SignedJWT.parse(json(response).path("access_token").asString())
                .getJWTClaimsSet()
                .getClaim("cnf"))
        .isNull();
  }
}
