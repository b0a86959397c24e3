package dev.bulwark.identity;

import static dev.bulwark.identity.TestIdentityProvider.PAYMENTS;
import static dev.bulwark.identity.TestIdentityProvider.REDIRECT;
import static dev.bulwark.identity.TestIdentityProvider.VERIFIER;
import static dev.bulwark.identity.TestIdentityProvider.encode;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.URI;
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

/** The authorization-code grant with PKCE, ID tokens, and refresh-token rotation. */
class AuthorizationCodeGrantTest {
  private static final Set<String> OPENID_PAYMENTS = Set.of("openid", "profile", "payments:read");

  @TempDir Path dir;
  private TestIdentityProvider idp;
  private String app;
  private UserSession alice;

  @BeforeEach
  void start() throws IOException {
    idp =
        TestIdentityProvider.start(
            dir,
            TestIdentityProvider.authority(),
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])));
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

  private static String error(HttpResponse<String> response) {
    return json(response).path("error").asString();
  }

  private JsonNode tokens() {
    HttpResponse<String> response = idp.codeGrant("app", app, alice, OPENID_PAYMENTS);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response);
  }

  private boolean active(String token) {
    return json(idp.introspect(token, Optional.of(app))).path("active").asBoolean();
  }

  @Test
  void codeGrantIssuesAccessTokenIdTokenAndRefreshToken() throws Exception {
    JsonNode body = tokens();

    assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
    assertThat(body.path("expires_in").asInt()).isEqualTo(300);
    assertThat(Set.of(body.path("scope").asString().split(" "))).isEqualTo(OPENID_PAYMENTS);
    assertThat(body.path("refresh_token").asString()).hasSize(43);
    SignedJWT access = SignedJWT.parse(body.path("access_token").asString());
    assertThat(access.getHeader().getType().getType()).isEqualTo("at+jwt");
    JWTClaimsSet at = access.getJWTClaimsSet();
    assertThat(at.getSubject()).isEqualTo(alice.userId());
    assertThat(at.getAudience()).containsExactly(PAYMENTS);
    assertThat(at.getStringClaim("client_id")).isEqualTo("app");
    assertThat(at.getStringClaim("sid")).isEqualTo(alice.sessionId());
    assertThat(at.getStringClaim("acr")).isEqualTo(UserSession.ACR_PASSWORD);
    assertThat(at.getStringListClaim("amr")).containsExactly("pwd");
    assertThat(at.getLongClaim("auth_time")).isEqualTo(alice.authTime().getEpochSecond());
    assertThat(at.getNotBeforeTime()).isNotNull();
    assertThat(at.getJWTID()).isNotBlank();

    SignedJWT id = SignedJWT.parse(body.path("id_token").asString());
    ECKey key =
        (ECKey) JWKSet.parse(idp.get("/jwks").body()).getKeyByKeyId(id.getHeader().getKeyID());
    assertThat(id.verify(new ECDSAVerifier(key))).isTrue();
    JWTClaimsSet claims = id.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(idp.provider.issuer());
    assertThat(claims.getSubject()).isEqualTo(alice.userId());
    assertThat(claims.getAudience()).containsExactly("app");
    assertThat(claims.getStringClaim("azp")).isEqualTo("app");
    assertThat(claims.getStringClaim("nonce")).isEqualTo("n-0S6");
    assertThat(claims.getStringClaim("sid")).isEqualTo(alice.sessionId());
    assertThat(claims.getStringClaim("acr")).isEqualTo(UserSession.ACR_PASSWORD);
    assertThat(claims.getExpirationTime()).isAfter(claims.getIssueTime());
    assertThat(claims.getStringClaim("at_hash"))
        .isEqualTo(
            AccessTokenHash.compute(
                    new BearerAccessToken(body.path("access_token").asString()),
                    JWSAlgorithm.ES256,
                    null)
                .getValue());
  }

  @Test
  void issuedCodeGrantIsAuditedWithoutTokenValues() {
    JsonNode body = tokens();

    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("token.issue"))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
              assertThat(event.attributes())
                  .containsEntry("grant_type", "authorization_code")
                  .containsEntry("client_id", "app");
              assertThat(event.attributes().values())
                  .noneMatch(v -> v.contains(body.path("refresh_token").asString()))
                  .noneMatch(v -> v.contains(body.path("access_token").asString()));
            });
  }

  @Test
  void withoutOpenidScopeThereIsNoIdToken() {
    JsonNode body = json(idp.codeGrant("app", app, alice, Set.of("payments:read")));

    assertThat(body.has("access_token")).isTrue();
    assertThat(body.has("id_token")).isFalse();
  }

  @Test
  void clientWithoutTheRefreshGrantGetsNoRefreshToken() {
    String plain =
        idp.registerApp("plain", b -> b.grantTypes(ClientRegistration.AUTHORIZATION_CODE));

    JsonNode body = json(idp.codeGrant("plain", plain, alice, OPENID_PAYMENTS));

    assertThat(body.has("access_token")).isTrue();
    assertThat(body.has("refresh_token")).isFalse();
  }

  @Test
  void rejectsWrongCodeVerifier() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response = idp.redeem(code, VERIFIER.replace('v', 'w'), REDIRECT, app);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsMissingCodeVerifier() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response = idp.redeem(code, "", REDIRECT, app);

    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsVerifierOutsideTheRfc7636Charset() {
    String verifier = "x".repeat(42) + "!";
    String code = idp.code("app", alice, REDIRECT, verifier, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response = idp.redeem(code, verifier, REDIRECT, app);

    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsRedirectUriMismatch() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response =
        idp.redeem(code, VERIFIER, URI.create("https://app.example/other"), app);

    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsCodeIssuedToAnotherClient() {
    idp.registerApp("other", b -> b);
    String code = idp.code("other", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response = idp.redeem(code, VERIFIER, REDIRECT, app);

    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsExpiredCode() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());
    idp.clock.advance(Duration.ofSeconds(61));

    HttpResponse<String> response = idp.redeem(code, VERIFIER, REDIRECT, app);

    assertThat(error(response)).isEqualTo("invalid_grant");
  }

  @Test
  void rejectsCodeAfterTheSessionEnded() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());
    idp.provider.internals().sessions().revoke(alice.sessionId());

    assertThat(error(idp.redeem(code, VERIFIER, REDIRECT, app))).isEqualTo("invalid_grant");
  }

  @Test
  void replayedCodeIsRefusedAndRevokesWhatTheFirstUseIssued() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());
    JsonNode first = json(idp.redeem(code, VERIFIER, REDIRECT, app));
    String access = first.path("access_token").asString();
    String refresh = first.path("refresh_token").asString();
    assertThat(active(access)).isTrue();

    HttpResponse<String> second = idp.redeem(code, VERIFIER, REDIRECT, app);

    assertThat(error(second)).isEqualTo("invalid_grant");
    assertThat(active(access)).as("first access token").isFalse();
    assertThat(active(refresh)).as("first refresh token").isFalse();
    assertThat(error(idp.refresh(refresh, "", app))).isEqualTo("invalid_grant");
    assertThat(idp.audited).anyMatch(e -> e.action().equals("code.replay"));
  }

  @Test
  void replayedCodeAlsoRevokesTokensRefreshedFromTheFirstUse() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());
    JsonNode first = json(idp.redeem(code, VERIFIER, REDIRECT, app));
    JsonNode refreshed = json(idp.refresh(first.path("refresh_token").asString(), "", app));

    idp.redeem(code, VERIFIER, REDIRECT, app);

    assertThat(active(refreshed.path("access_token").asString())).isFalse();
    assertThat(active(refreshed.path("refresh_token").asString())).isFalse();
  }

  @Test
  void publicClientRedeemsWithPkceAlone() {
    idp.registerApp("spa", b -> b.authMethod(ClientRegistration.ClientAuthMethod.NONE));
    String code = idp.code("spa", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());

    HttpResponse<String> response =
        idp.post(
            "/token",
            "grant_type=authorization_code&client_id=spa&code="
                + encode(code)
                + "&redirect_uri="
                + encode(REDIRECT.toString())
                + "&code_verifier="
                + VERIFIER,
            Optional.empty());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void publicClientCannotIntrospect() {
    idp.registerApp("spa", b -> b.authMethod(ClientRegistration.ClientAuthMethod.NONE));

    HttpResponse<String> response =
        idp.post("/introspect", "client_id=spa&token=anything", Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void refreshRotatesTheRefreshToken() throws Exception {
    JsonNode first = tokens();

    HttpResponse<String> response = idp.refresh(first.path("refresh_token").asString(), "", app);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode second = json(response);
    assertThat(second.path("refresh_token").asString())
        .isNotEqualTo(first.path("refresh_token").asString());
    assertThat(
            SignedJWT.parse(second.path("id_token").asString()).getJWTClaimsSet().getClaim("nonce"))
        .isNull();
    assertThat(active(second.path("access_token").asString())).isTrue();
    assertThat(active(first.path("refresh_token").asString())).as("used").isFalse();
    assertThat(idp.audited).anyMatch(e -> e.action().equals("token.refresh"));
  }

  @Test
  void reusedRefreshTokenRevokesTheWholeFamily() {
    JsonNode first = tokens();
    String r1 = first.path("refresh_token").asString();
    JsonNode second = json(idp.refresh(r1, "", app));
    String r2 = second.path("refresh_token").asString();

    HttpResponse<String> reuse = idp.refresh(r1, "", app);

    assertThat(error(reuse)).isEqualTo("invalid_grant");
    assertThat(error(idp.refresh(r2, "", app)))
        .as("newest of the family")
        .isEqualTo("invalid_grant");
    assertThat(active(second.path("access_token").asString())).isFalse();
    assertThat(active(first.path("access_token").asString())).isFalse();
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("token.refresh.reuse"))
        .singleElement()
        .satisfies(e -> assertThat(e.attributes().values()).noneMatch(v -> v.contains(r1)));
  }

  @Test
  void concurrentUsesOfOneRefreshTokenSucceedAtMostOnce() throws Exception {
    String r1 = tokens().path("refresh_token").asString();
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> attempts =
        new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      attempts.add(
          java.util.concurrent.CompletableFuture.supplyAsync(() -> idp.refresh(r1, "", app)));
    }

    long succeeded = 0;
    for (var attempt : attempts) {
      if (attempt.get().statusCode() == 200) {
        succeeded++;
      }
    }

    assertThat(succeeded).isLessThanOrEqualTo(1);
  }

  @Test
  void refreshByAnotherClientIsRefusedAndLeavesTheTokenUsable() {
    String other = idp.registerApp("other", b -> b);
    String r1 = tokens().path("refresh_token").asString();

    assertThat(error(idp.refresh(r1, "", other))).isEqualTo("invalid_grant");
    assertThat(idp.refresh(r1, "", app).statusCode()).isEqualTo(200);
  }

  @Test
  void refreshMayNarrowButNotWidenTheScope() {
    String r1 = tokens().path("refresh_token").asString();

    HttpResponse<String> widened = idp.refresh(r1, "&scope=email", app);
    assertThat(error(widened)).isEqualTo("invalid_scope");

    JsonNode narrowed = json(idp.refresh(r1, "&scope=payments%3Aread", app));
    assertThat(narrowed.path("scope").asString()).isEqualTo("payments:read");
    assertThat(narrowed.has("id_token")).isFalse();
    // The family keeps the original grant: a later refresh may ask for openid again.
    JsonNode again = json(idp.refresh(narrowed.path("refresh_token").asString(), "", app));
    assertThat(Set.of(again.path("scope").asString().split(" "))).isEqualTo(OPENID_PAYMENTS);
  }

  @Test
  void refreshFailsAfterLogout() {
    String r1 = tokens().path("refresh_token").asString();
    idp.provider.internals().sessions().revoke(alice.sessionId());

    assertThat(error(idp.refresh(r1, "", app))).isEqualTo("invalid_grant");
    assertThat(active(r1)).isFalse();
  }

  @Test
  void refreshFailsForADisabledUser() {
    String r1 = tokens().path("refresh_token").asString();
    idp.provider.internals().users().setEnabled(alice.userId(), false);

    assertThat(error(idp.refresh(r1, "", app))).isEqualTo("invalid_grant");
  }

  @Test
  void codeForADisabledUserIsRefused() {
    String code = idp.code("app", alice, REDIRECT, VERIFIER, OPENID_PAYMENTS, Optional.empty());
    idp.provider.internals().users().setEnabled(alice.userId(), false);

    assertThat(error(idp.redeem(code, VERIFIER, REDIRECT, app))).isEqualTo("invalid_grant");
  }

  @Test
  void clientWithAnAlgorithmWithoutAKeyGetsAServerErrorNotACrash() {
    String rsa = idp.registerApp("rsa", b -> b.signingAlgorithm("RS256"));

    HttpResponse<String> response = idp.codeGrant("rsa", rsa, alice, OPENID_PAYMENTS);

    // Helper "keys" adds RS256 keys; until then the endpoint says what is missing.
    assertThat(response.statusCode()).isIn(200, 500);
    if (response.statusCode() == 500) {
      assertThat(error(response)).isEqualTo("server_error");
    }
  }

  @Test
  void refreshFailsOnceTheFamilyExpired() {
    String r1 = tokens().path("refresh_token").asString();
    // The session lasts an hour in the fixture; the family 12 h from sign-in by default.
    idp.clock.advance(Duration.ofHours(13));

    assertThat(error(idp.refresh(r1, "", app))).isEqualTo("invalid_grant");
  }

  @Test
  void clientWithoutTheRefreshGrantMayNotRefresh() {
    String r1 = tokens().path("refresh_token").asString();
    String plain =
        idp.registerApp("plain", b -> b.grantTypes(ClientRegistration.AUTHORIZATION_CODE));

    assertThat(error(idp.refresh(r1, "", plain))).isEqualTo("unauthorized_client");
  }
}
