package dev.bulwark.identity;

import static dev.bulwark.identity.TestIdentityProvider.PAYMENTS;
import static dev.bulwark.identity.TestIdentityProvider.PROFILES;
import static dev.bulwark.identity.TestIdentityProvider.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.TokenVerification;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class TokenEndpointTest {
  @TempDir Path dir;
  private final CertificateAuthority authority = TestIdentityProvider.authority();
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
  private TestIdentityProvider idp;
  private String shopBasic;

  @BeforeEach
  void start() throws IOException {
    idp = TestIdentityProvider.start(dir, authority, masterKey);
    shopBasic = basic("shop", idp.shopSecret.reveal());
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private AccessTokenVerifier verifierFor(String audience) {
    return AccessTokenVerifier.builder()
        .issuer(idp.provider.issuer())
        .audience(audience)
        .jwksUri(idp.provider.jwksUri(), idp.clientTls)
        .build();
  }

  @Test
  void discoveryAdvertisesTheEndpointsThatExist() {
    JsonNode metadata = json(idp.get("/.well-known/openid-configuration"));

    assertThat(metadata.path("issuer").asString()).isEqualTo(idp.provider.issuer());
    assertThat(metadata.path("token_endpoint").asString())
        .isEqualTo(idp.provider.tokenEndpoint().toString());
    assertThat(metadata.path("jwks_uri").asString()).isEqualTo(idp.provider.jwksUri().toString());
    assertThat(metadata.path("grant_types_supported").toString())
        .isEqualTo(
            "[\"authorization_code\",\"refresh_token\",\"client_credentials\","
                + "\"urn:ietf:params:oauth:grant-type:token-exchange\"]");
    assertThat(metadata.path("introspection_endpoint").asString())
        .isEqualTo(idp.provider.issuer() + "/introspect");
    assertThat(metadata.path("revocation_endpoint").asString())
        .isEqualTo(idp.provider.issuer() + "/revoke");
    assertThat(metadata.path("userinfo_endpoint").asString())
        .isEqualTo(idp.provider.issuer() + "/userinfo");
    assertThat(metadata.path("code_challenge_methods_supported").toString())
        .isEqualTo("[\"S256\"]");
    assertThat(metadata.path("tls_client_certificate_bound_access_tokens").asBoolean()).isTrue();
    assertThat(metadata.path("acr_values_supported").toString())
        .isEqualTo("[\"urn:bulwark:acr:pwd\",\"urn:bulwark:acr:mfa\"]");
    assertThat(json(idp.get("/.well-known/oauth-authorization-server"))).isEqualTo(metadata);
  }

  @Test
  void jwksPublishesOnlyPublicKeys() {
    HttpResponse<String> jwks = idp.get("/jwks");

    assertThat(jwks.headers().firstValue("Content-Type")).hasValue("application/jwk-set+json");
    JsonNode key = json(jwks).path("keys").get(0);
    assertThat(key.path("kty").asString()).isEqualTo("EC");
    assertThat(key.path("alg").asString()).isEqualTo("ES256");
    assertThat(key.has("d")).as("private part").isFalse();
  }

  @Test
  void clientCredentialsIssuesAnRfc9068TokenThatVerifies() throws Exception {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonNode body = json(response);
    assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
    assertThat(body.path("expires_in").asInt()).isEqualTo(300);
    String token = body.path("access_token").asString();
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactlyInAnyOrder(PAYMENTS, PROFILES);
    assertThat(verifierFor(PAYMENTS).verify(token)).isInstanceOf(TokenVerification.Verified.class);
  }

  @Test
  void clientSecretPostIsAcceptedForAClientRegisteredWithIt() {
    ClientSecret secret =
        idp.provider.registerClient(
            ClientRegistration.builder("poster", "Poster")
                .audiences(java.util.Set.of(PAYMENTS))
                .authMethod(ClientRegistration.ClientAuthMethod.CLIENT_SECRET_POST)
                .build());
    HttpResponse<String> response =
        idp.token(
            "grant_type=client_credentials&client_id=poster&client_secret="
                + URLEncoder.encode(secret.reveal(), StandardCharsets.UTF_8),
            Optional.empty());

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void clientSecretPostIsRefusedForAClientRegisteredForBasic() {
    HttpResponse<String> response =
        idp.token(
            "grant_type=client_credentials&client_id=shop&client_secret="
                + URLEncoder.encode(idp.shopSecret.reveal(), StandardCharsets.UTF_8),
            Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_client");
  }

  @Test
  void clientCredentialsTokensCarryTheClientsRoles() throws Exception {
    ClientSecret secret =
        idp.provider.registerClient(
            ClientRegistration.builder("batch", "Batch")
                .audiences(java.util.Set.of(PAYMENTS))
                .roles(java.util.Set.of("settlement", "reporting"))
                .build());
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials", Optional.of(basic("batch", secret.reveal())));

    assertThat(
            SignedJWT.parse(json(response).path("access_token").asString())
                .getJWTClaimsSet()
                .getStringListClaim("roles"))
        .containsExactly("reporting", "settlement");
  }

  @Test
  void resourceIndicatorNarrowsTheAudience() throws Exception {
    HttpResponse<String> response =
        idp.token(
            "grant_type=client_credentials&resource="
                + URLEncoder.encode(PROFILES, StandardCharsets.UTF_8),
            Optional.of(shopBasic));

    String token = json(response).path("access_token").asString();
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getAudience()).containsExactly(PROFILES);
    assertThat(verifierFor(PAYMENTS).verify(token))
        .isEqualTo(
            new TokenVerification.Rejected(
                TokenVerification.Reason.WRONG_AUDIENCE, "the token is not meant for " + PAYMENTS));
  }

  @Test
  void resourceTheClientMayNotCallIsInvalidTarget() {
    HttpResponse<String> response =
        idp.token(
            "grant_type=client_credentials&resource=urn%3Abulwark%3Aadmin", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_target");
  }

  @Test
  void relativeResourceIsInvalidTarget() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials&resource=payments", Optional.of(shopBasic));

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_target");
  }

  @Test
  void scopeBeyondTheClientsIsInvalidScope() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials&scope=payments%3Arefund", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_scope");
  }

  @Test
  void requestedScopeIsNarrowed() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials&scope=payments%3Aread", Optional.of(shopBasic));

    assertThat(json(response).path("scope").asString()).isEqualTo("payments:read");
  }

  @Test
  void wrongSecretIsAuditedAsAFailedClientLoginWithoutTheSecret() {
    idp.token("grant_type=client_credentials", Optional.of(basic("shop", "guess-1234")));

    assertThat(idp.audited)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.action()).isEqualTo("client.login");
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
              assertThat(event.subject()).contains("shop");
              assertThat(event.attributes()).containsKeys("source_address", "request_id");
              assertThat(event.attributes().values()).noneMatch(v -> v.contains("guess-1234"));
            });
  }

  @Test
  void issuedTokenIsAuditedWithItsClientAndId() throws Exception {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials", Optional.of(shopBasic));
    String jti =
        SignedJWT.parse(json(response).get("access_token").asString()).getJWTClaimsSet().getJWTID();

    assertThat(idp.audited)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.action()).isEqualTo("token.issue");
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
              assertThat(event.attributes())
                  .containsEntry("client_id", "shop")
                  .containsEntry("jti", jti);
              assertThat(event.attributes().values())
                  .noneMatch(v -> v.contains(idp.shopSecret.reveal()));
            });
  }

  @Test
  void refusedGrantIsAuditedWithTheOAuthError() {
    idp.token("grant_type=password", Optional.of(shopBasic));

    assertThat(idp.audited)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.action()).isEqualTo("token.issue");
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
              assertThat(event.reason())
                  .hasValueSatisfying(r -> assertThat(r).startsWith("unsupported_grant_type"));
            });
  }

  @Test
  void wrongSecretIsInvalidClientWithBasicChallenge() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials", Optional.of(basic("shop", "guess")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_client");
  }

  @Test
  void unknownClientGetsTheSameAnswerAsAWrongSecret() {
    HttpResponse<String> unknown =
        idp.token("grant_type=client_credentials", Optional.of(basic("nobody", "guess")));
    HttpResponse<String> wrong =
        idp.token("grant_type=client_credentials", Optional.of(basic("shop", "guess")));

    assertThat(unknown.statusCode()).isEqualTo(wrong.statusCode());
    assertThat(unknown.body()).isEqualTo(wrong.body());
  }

  @Test
  void missingClientAuthenticationIsInvalidClient() {
    HttpResponse<String> response = idp.token("grant_type=client_credentials", Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_client");
  }

  @Test
  void twoAuthenticationMethodsAreRefused() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials&client_secret=x", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void unsupportedGrantIsRefused() {
    HttpResponse<String> response =
        idp.token("grant_type=password&username=a&password=b", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("unsupported_grant_type");
  }

  @Test
  void repeatedParameterIsInvalidRequest() {
    HttpResponse<String> response =
        idp.token(
            "grant_type=client_credentials&grant_type=client_credentials", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void nonFormBodyIsInvalidRequest() {
    HttpResponse<String> response =
        idp.send(
            java.net.http.HttpRequest.newBuilder(idp.provider.tokenEndpoint())
                .header("Content-Type", "application/json")
                .header("Authorization", shopBasic)
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"grant_type\":\"client_credentials\"}"))
                .build());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void signingKeySurvivesRestart() throws Exception {
    String before =
        SignedJWT.parse(
                json(idp.token("grant_type=client_credentials", Optional.of(shopBasic)))
                    .path("access_token")
                    .asString())
            .getHeader()
            .getKeyID();
    idp.close();

    idp = TestIdentityProvider.restart(dir, authority, masterKey);
    HttpResponse<String> after = idp.token("grant_type=client_credentials", Optional.of(shopBasic));

    assertThat(after.statusCode()).as("client survives restart").isEqualTo(200);
    assertThat(SignedJWT.parse(json(after).path("access_token").asString()).getHeader().getKeyID())
        .isEqualTo(before);
  }

  @Test
  void storedFilesHoldNeitherTheClientSecretNorThePrivateKey() throws Exception {
    String privateD = idp.get("/jwks").body(); // public only; the private scalar is looked up below
    assertThat(privateD).doesNotContain("\"d\"");
    idp.close();
    String secret = idp.shopSecret.reveal();

    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(content).as(file.toString()).doesNotContain(secret).doesNotContain("\"d\":");
      }
    }
    idp = TestIdentityProvider.restart(dir, authority, masterKey);
  }

  @Test
  void anotherMasterKeyCannotReadTheSigningKey() {
    idp.close();
    MasterKey other =
        MasterKey.fromBase64(
            Base64.getEncoder()
                .encodeToString(
                    "another-key-of-32-bytes-length!!".getBytes(StandardCharsets.US_ASCII)));

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestIdentityProvider.restart(dir, authority, other))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("master key");
    try {
      idp = TestIdentityProvider.restart(dir, authority, masterKey);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void tokenEndpointTakesOnlyPost() {
    HttpResponse<String> response = idp.get("/token");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void emptyBodyIsInvalidRequestNotAServerError() {
    HttpResponse<String> response = idp.token("", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void emptyResourceCountsAsOmitted() {
    HttpResponse<String> response =
        idp.token("grant_type=client_credentials&resource=", Optional.of(shopBasic));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void lookalikeContentTypeIsRefused() {
    HttpResponse<String> response =
        idp.send(
            java.net.http.HttpRequest.newBuilder(idp.provider.tokenEndpoint())
                .header("Content-Type", "application/x-www-form-urlencodedX")
                .header("Authorization", shopBasic)
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials"))
                .build());

    assertThat(response.statusCode()).isEqualTo(400);
  }

  @Test
  void shortClientSecretsAreRefusedAtRegistration() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                idp.provider.registerClient(
                    new ClientRegistration(
                        "weak", "Weak", java.util.Set.of(), java.util.Set.of(PAYMENTS)),
                    new ClientSecret("password123")))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("too short");
  }
}
