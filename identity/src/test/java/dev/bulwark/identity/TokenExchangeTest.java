package dev.bulwark.identity;

import static dev.bulwark.identity.TestIdentityProvider.PAYMENTS;
import static dev.bulwark.identity.TestIdentityProvider.basic;
import static dev.bulwark.identity.TestIdentityProvider.encode;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** RFC 8693 token exchange with a per-client audience policy and nested actors. */
class TokenExchangeTest {
  private static final String LEDGER = "urn:bulwark:ledger";
  private static final String ARCHIVE = "urn:bulwark:archive";
  private static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

  @TempDir Path dir;
  private TestIdentityProvider idp;
  private String app;
  private String gateway;
  private String ledger;
  private UserSession alice;

  @BeforeEach
  void start() throws IOException {
    idp =
        TestIdentityProvider.start(
            dir,
            TestIdentityProvider.authority(),
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])));
    app = idp.registerApp("app", b -> b);
    gateway = exchanger("gateway", Set.of(LEDGER), Set.of("payments:read", "openid"));
    ledger = exchanger("ledger", Set.of(ARCHIVE), Set.of("payments:read"));
    alice = idp.signIn("alice");
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private String exchanger(String clientId, Set<String> targets, Set<String> scopes) {
    ClientSecret secret =
        idp.provider.registerClient(
            ClientRegistration.builder(clientId, clientId)
                .scopes(scopes)
                .audiences(Set.of(PAYMENTS))
                .grantTypes(ClientRegistration.TOKEN_EXCHANGE)
                .exchangeAudiences(targets)
                .build());
    return basic(clientId, secret.reveal());
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private String userToken() {
    return json(idp.codeGrant("app", app, alice, Set.of("openid", "profile", "payments:read")))
        .path("access_token")
        .asString();
  }

  private HttpResponse<String> exchange(String subjectToken, String target, String as) {
    return idp.post(
        "/token",
        "grant_type="
            + encode(ClientRegistration.TOKEN_EXCHANGE)
            + "&subject_token="
            + encode(subjectToken)
            + "&subject_token_type="
            + encode(ACCESS_TOKEN)
            + "&audience="
            + encode(target),
        Optional.of(as));
  }

  @Test
  void exchangeKeepsTheSubjectAndNamesTheActor() throws Exception {
    String subject = userToken();
    JWTClaimsSet original = SignedJWT.parse(subject).getJWTClaimsSet();

    HttpResponse<String> response = exchange(subject, LEDGER, gateway);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.path("issued_token_type").asString()).isEqualTo(ACCESS_TOKEN);
    JWTClaimsSet claims = SignedJWT.parse(body.path("access_token").asString()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(alice.userId());
    assertThat(claims.getAudience()).containsExactly(LEDGER);
    assertThat(claims.getStringClaim("client_id")).isEqualTo("gateway");
    assertThat(claims.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", "gateway"));
    assertThat(claims.getStringClaim("sid")).isEqualTo(alice.sessionId());
    assertThat(claims.getStringClaim("acr")).isEqualTo(original.getStringClaim("acr"));
    assertThat(claims.getLongClaim("auth_time")).isEqualTo(original.getLongClaim("auth_time"));
    // Narrowed to what both the subject token and the exchanging client allow.
    assertThat(Set.of(claims.getStringClaim("scope").split(" ")))
        .isEqualTo(Set.of("openid", "payments:read"));
    assertThat(claims.getExpirationTime()).isBeforeOrEqualTo(original.getExpirationTime());
    assertThat(idp.audited).anyMatch(e -> e.action().equals("token.exchange"));
  }

  @Test
  void actChainNestsTwoLevels() throws Exception {
    String first = json(exchange(userToken(), LEDGER, gateway)).path("access_token").asString();

    HttpResponse<String> second = exchange(first, ARCHIVE, ledger);

    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JWTClaimsSet claims =
        SignedJWT.parse(json(second).path("access_token").asString()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo(alice.userId());
    assertThat(claims.getJSONObjectClaim("act"))
        .isEqualTo(Map.of("sub", "ledger", "act", Map.of("sub", "gateway")));
    JsonNode introspected =
        json(idp.introspect(json(second).path("access_token").asString(), Optional.of(gateway)));
    assertThat(introspected.path("act").path("act").path("sub").asString()).isEqualTo("gateway");
  }

  @Test
  void exchangeWithoutAPolicyIsRefused() {
    String noPolicy = exchanger("nopolicy", Set.of(), Set.of("payments:read"));

    HttpResponse<String> response = exchange(userToken(), LEDGER, noPolicy);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("unauthorized_client");
  }

  @Test
  void clientWithoutTheExchangeGrantIsRefused() {
    HttpResponse<String> response =
        exchange(userToken(), LEDGER, basic("shop", idp.shopSecret.reveal()));

    assertThat(json(response).path("error").asString()).isEqualTo("unauthorized_client");
  }

  @Test
  void audienceOutsideThePolicyIsInvalidTarget() {
    HttpResponse<String> response = exchange(userToken(), ARCHIVE, gateway);

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_target");
  }

  @Test
  void revokedSubjectTokenIsRefused() {
    String subject = userToken();
    idp.revoke(subject, Optional.of(app));

    HttpResponse<String> response = exchange(subject, LEDGER, gateway);

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_grant");
  }

  @Test
  void revokedClientCredentialsSubjectTokenIsRefused() {
    // Client-credentials tokens are not stored when issued: only their revocation is.
    String subject = idp.accessToken("shop", idp.shopSecret);
    assertThat(exchange(subject, LEDGER, gateway).statusCode())
        .as("exchangeable before it is revoked")
        .isEqualTo(200);
    idp.revoke(subject, Optional.of(TestIdentityProvider.basic("shop", idp.shopSecret.reveal())));

    HttpResponse<String> response = exchange(subject, LEDGER, gateway);

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_grant");
  }

  @Test
  void forgedSubjectTokenIsRefused() {
    HttpResponse<String> response =
        exchange("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", LEDGER, gateway);

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_grant");
  }

  @Test
  void scopeBeyondTheSubjectTokensIsRefused() {
    HttpResponse<String> response =
        idp.post(
            "/token",
            "grant_type="
                + encode(ClientRegistration.TOKEN_EXCHANGE)
                + "&subject_token="
                + encode(
                    json(idp.codeGrant("app", app, alice, Set.of("openid")))
                        .path("access_token")
                        .asString())
                + "&subject_token_type="
                + encode(ACCESS_TOKEN)
                + "&audience="
                + encode(LEDGER)
                + "&scope=payments%3Aread",
            Optional.of(gateway));

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_scope");
  }

  @Test
  void otherSubjectTokenTypesAreRefused() {
    HttpResponse<String> response =
        idp.post(
            "/token",
            "grant_type="
                + encode(ClientRegistration.TOKEN_EXCHANGE)
                + "&subject_token="
                + encode(userToken())
                + "&subject_token_type="
                + encode("urn:ietf:params:oauth:token-type:id_token")
                + "&audience="
                + encode(LEDGER),
            Optional.of(gateway));

    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
  }

  @Test
  void revokingTheSubjectsFamilyRevokesTheExchangedToken() {
    JsonNode tokens =
        json(idp.codeGrant("app", app, alice, Set.of("openid", "profile", "payments:read")));
    String exchanged =
        json(exchange(tokens.path("access_token").asString(), LEDGER, gateway))
            .path("access_token")
            .asString();

    idp.post(
        "/revoke", "token=" + encode(tokens.path("refresh_token").asString()), Optional.of(app));

    assertThat(json(idp.introspect(exchanged, Optional.of(gateway))).path("active").asBoolean())
        .isFalse();
  }
}
