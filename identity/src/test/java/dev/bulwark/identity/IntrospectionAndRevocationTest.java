package dev.bulwark.identity;

import static dev.bulwark.identity.TestIdentityProvider.PAYMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Introspection (RFC 7662), revocation (RFC 7009) and UserInfo (OIDC Core §5.3). */
class IntrospectionAndRevocationTest {
  private static final Set<String> SCOPES = Set.of("openid", "profile", "email", "payments:read");

  @TempDir Path dir;
  private TestIdentityProvider idp;
  private Optional<String> shop;
  private String app;
  private UserSession alice;

  @BeforeEach
  void start() throws IOException {
    idp =
        TestIdentityProvider.start(
            dir,
            TestIdentityProvider.authority(),
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])));
    shop = Optional.of(TestIdentityProvider.basic("shop", idp.shopSecret.reveal()));
    app = idp.registerApp("app", b -> b);
    alice = idp.signIn("alice");
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private JsonNode userTokens() {
    HttpResponse<String> response = idp.codeGrant("app", app, alice, SCOPES);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response);
  }

  private String clientToken() {
    return json(idp.token("grant_type=client_credentials", shop)).path("access_token").asString();
  }

  private boolean active(String token, Optional<String> as) {
    HttpResponse<String> response = idp.introspect(token, as);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response).path("active").asBoolean();
  }

  @Test
  void introspectionWithoutClientAuthenticationIs401() {
    HttpResponse<String> response = idp.introspect(clientToken(), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_client");
  }

  @Test
  void introspectionWithAWrongSecretIs401WithABasicChallenge() {
    HttpResponse<String> response =
        idp.introspect(clientToken(), Optional.of(TestIdentityProvider.basic("shop", "guess")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  @Test
  void activeUserTokenIsDescribed() {
    JsonNode tokens = userTokens();

    JsonNode body = json(idp.introspect(tokens.path("access_token").asString(), shop));

    assertThat(body.path("active").asBoolean()).isTrue();
    assertThat(body.path("client_id").asString()).isEqualTo("app");
    assertThat(body.path("sub").asString()).isEqualTo(alice.userId());
    assertThat(body.path("username").asString()).isEqualTo("alice");
    assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
    assertThat(body.path("iss").asString()).isEqualTo(idp.provider.issuer());
    assertThat(body.path("aud").get(0).asString()).isEqualTo(PAYMENTS);
    assertThat(body.path("exp").asLong()).isGreaterThan(body.path("iat").asLong());
    assertThat(body.has("jti")).isTrue();
    assertThat(body.has("roles")).isTrue();
    assertThat(Set.of(body.path("scope").asString().split(" "))).isEqualTo(SCOPES);
    assertThat(idp.audited)
        .anyMatch(
            e ->
                e.action().equals("token.introspect")
                    && "true".equals(e.attributes().get("active")));
  }

  @Test
  void unknownAndMalformedTokensAreInactive() {
    assertThat(active("not-a-token", shop)).isFalse();
    assertThat(active("a.b.c", shop)).isFalse();
    assertThat(active("A".repeat(43), shop)).isFalse();
  }

  @Test
  void expiredTokenIsInactive() {
    String token = clientToken();
    idp.clock.advance(Duration.ofMinutes(6));

    assertThat(active(token, shop)).isFalse();
  }

  @Test
  void revokedAccessTokenIsInactive() {
    String token = clientToken();

    HttpResponse<String> revoked = idp.revoke(token, shop);

    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(active(token, shop)).isFalse();
    assertThat(idp.audited).anyMatch(e -> e.action().equals("token.revoke"));
  }

  @Test
  void revokedClientCredentialsJwtIsInactiveAtIntrospection() {
    String token = clientToken();
    assertThat(active(token, shop)).isTrue();

    assertThat(idp.revoke(token, shop).statusCode()).isEqualTo(200);

    assertThat(active(token, shop)).isFalse();
    // A second revocation of a token already on the revocation list is still a 200.
    assertThat(idp.revoke(token, shop).statusCode()).isEqualTo(200);
    assertThat(active(token, shop)).isFalse();
    // Other client-credentials tokens of the same client stay active.
    assertThat(active(clientToken(), shop)).isTrue();
  }

  @Test
  void revokedClientCredentialsJwtIsRefusedAtUserinfo() {
    String token = clientToken();
    idp.revoke(token, shop);

    assertThat(idp.userinfo(token).statusCode()).isEqualTo(401);
  }

  @Test
  void anotherClientCannotRevokeAClientCredentialsJwt() {
    ClientSecret otherSecret =
        idp.provider.registerClient(
            new ClientRegistration("other", "Other", Set.of("payments:read"), Set.of(PAYMENTS)));
    Optional<String> other = Optional.of(TestIdentityProvider.basic("other", otherSecret.reveal()));
    String token = clientToken();

    assertThat(idp.revoke(token, other).statusCode()).isEqualTo(200);

    assertThat(active(token, shop)).isTrue();
  }

  @Test
  void clientCredentialsJwtSignedByAnotherKeyIsInactive() throws Exception {
    String token = clientToken();
    com.nimbusds.jwt.SignedJWT genuine = com.nimbusds.jwt.SignedJWT.parse(token);
    com.nimbusds.jose.jwk.ECKey foreign =
        new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
            .keyID(genuine.getHeader().getKeyID())
            .generate();
    com.nimbusds.jwt.SignedJWT forged =
        new com.nimbusds.jwt.SignedJWT(genuine.getHeader(), genuine.getJWTClaimsSet());
    forged.sign(new com.nimbusds.jose.crypto.ECDSASigner(foreign));

    assertThat(active(forged.serialize(), shop)).isFalse();
    assertThat(idp.revoke(forged.serialize(), shop).statusCode()).isEqualTo(200);
    assertThat(active(token, shop)).isTrue();
  }

  @Test
  void revokingAnotherClientsTokenIsSilentlyIgnored() {
    String appToken = userTokens().path("access_token").asString();

    HttpResponse<String> response = idp.revoke(appToken, shop);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(active(appToken, shop)).isTrue();
  }

  @Test
  void revokingAnUnknownTokenIs200() {
    assertThat(idp.revoke("unknown-token", shop).statusCode()).isEqualTo(200);
  }

  @Test
  void revocationRequiresClientAuthentication() {
    assertThat(idp.revoke(clientToken(), Optional.empty()).statusCode()).isEqualTo(401);
  }

  @Test
  void revokingARefreshTokenRevokesItsFamily() {
    JsonNode tokens = userTokens();
    String refresh = tokens.path("refresh_token").asString();

    idp.post(
        "/revoke",
        "token_type_hint=refresh_token&token=" + TestIdentityProvider.encode(refresh),
        Optional.of(app));

    assertThat(active(tokens.path("access_token").asString(), shop)).isFalse();
    assertThat(json(idp.refresh(refresh, "", app)).path("error").asString())
        .isEqualTo("invalid_grant");
  }

  @Test
  void refreshTokenIsDescribedOnlyToItsClient() {
    String refresh = userTokens().path("refresh_token").asString();

    assertThat(active(refresh, Optional.of(app))).isTrue();
    assertThat(active(refresh, shop)).isFalse();
  }

  @Test
  void userinfoReturnsTheUsersClaimsByScope() {
    JsonNode body = json(idp.userinfo(userTokens().path("access_token").asString()));

    assertThat(body.path("sub").asString()).isEqualTo(alice.userId());
    assertThat(body.path("preferred_username").asString()).isEqualTo("alice");
    assertThat(body.path("name").asString()).isEqualTo("User alice");
    assertThat(body.path("email").asString()).isEqualTo("alice@example.com");
    assertThat(body.path("roles").isArray()).isTrue();
  }

  @Test
  void userinfoLeavesOutClaimsOfScopesNotGranted() {
    String token =
        json(idp.codeGrant("app", app, alice, Set.of("openid"))).path("access_token").asString();

    JsonNode body = json(idp.userinfo(token));

    assertThat(body.path("sub").asString()).isEqualTo(alice.userId());
    assertThat(body.has("email")).isFalse();
    assertThat(body.has("name")).isFalse();
  }

  @Test
  void userinfoWithARevokedTokenIs401() {
    JsonNode tokens = userTokens();
    String token = tokens.path("access_token").asString();
    idp.revoke(token, Optional.of(app));

    HttpResponse<String> response = idp.userinfo(token);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\""));
  }

  @Test
  void userinfoWithAnExpiredTokenIs401() {
    String token = userTokens().path("access_token").asString();
    idp.clock.advance(Duration.ofMinutes(6));

    assertThat(idp.userinfo(token).statusCode()).isEqualTo(401);
  }

  @Test
  void userinfoWithAForgedTokenIs401() {
    assertThat(idp.userinfo("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").statusCode()).isEqualTo(401);
  }

  @Test
  void userinfoWithoutTheOpenidScopeIsInsufficientScope() {
    String token =
        json(idp.codeGrant("app", app, alice, Set.of("payments:read")))
            .path("access_token")
            .asString();

    HttpResponse<String> response = idp.userinfo(token);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("insufficient_scope"));
  }

  @Test
  void userinfoWithoutATokenIs401() {
    HttpResponse<String> response =
        idp.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(idp.provider.issuer() + "/userinfo"))
                .build());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  @Test
  void opaqueTokensWorkAtIntrospectionAndUserinfo() {
    String opaque =
        idp.registerApp("opaque", b -> b.tokenFormat(ClientRegistration.TokenFormat.OPAQUE));
    JsonNode tokens = json(idp.codeGrant("opaque", opaque, alice, SCOPES));
    String token = tokens.path("access_token").asString();

    assertThat(token).hasSize(43).doesNotContain(".");
    JsonNode introspected = json(idp.introspect(token, shop));
    assertThat(introspected.path("active").asBoolean()).isTrue();
    assertThat(introspected.path("sub").asString()).isEqualTo(alice.userId());
    assertThat(introspected.path("client_id").asString()).isEqualTo("opaque");
    assertThat(json(idp.userinfo(token)).path("sub").asString()).isEqualTo(alice.userId());

    idp.revoke(token, Optional.of(opaque));
    assertThat(active(token, shop)).isFalse();
    assertThat(idp.userinfo(token).statusCode()).isEqualTo(401);
  }

  @Test
  void introspectionOnlyTakesPost() {
    assertThat(idp.get("/introspect").statusCode()).isEqualTo(405);
  }
}
