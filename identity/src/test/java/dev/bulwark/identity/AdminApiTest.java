package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.TokenVerification;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AdminApiTest {
  static final String ADMIN_AUDIENCE = "urn:bulwark:admin";
  static final String PASSWORD = "correct horse battery staple 42";

  @TempDir Path dir;
  private final CertificateAuthority authority = TestIdentityProvider.authority();
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
  private TestIdentityProvider idp;
  private String adminToken;
  private String viewerToken;

  @BeforeEach
  void start() throws IOException {
    idp = TestIdentityProvider.start(dir, authority, masterKey);
    ClientSecret ops =
        idp.provider.registerClient(
            ClientRegistration.builder("ops", "Operations")
                .audiences(Set.of(ADMIN_AUDIENCE))
                .roles(Set.of("identity-admin"))
                .build());
    ClientSecret viewer =
        idp.provider.registerClient(
            ClientRegistration.builder("viewer", "Viewer")
                .audiences(Set.of(ADMIN_AUDIENCE))
                .roles(Set.of("auditor"))
                .build());
    adminToken = idp.accessToken("ops", ops);
    viewerToken = idp.accessToken("viewer", viewer);
    idp.audited.clear();
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private HttpResponse<String> call(String method, String path, String json) {
    return idp.admin(method, path, Optional.of(adminToken), Optional.ofNullable(json));
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private String createAlice() {
    HttpResponse<String> created =
        call(
            "POST",
            "/users",
            "{\"username\":\"alice\",\"name\":\"Alice\",\"email\":\"alice@example.com\","
                + "\"password\":\""
                + PASSWORD
                + "\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return json(created).path("user_id").asString();
  }

  @Test
  void noTokenIsUnauthorizedWithABearerChallenge() {
    HttpResponse<String> response = idp.admin("GET", "/users", Optional.empty(), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void tokenWithoutTheAdminRoleIsForbidden() {
    HttpResponse<String> response =
        idp.admin("GET", "/users", Optional.of(viewerToken), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(json(response).path("error").asString()).isEqualTo("insufficient_scope");
    assertThat(idp.audited)
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("admin.access");
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
              assertThat(e.subject()).contains("viewer");
            });
  }

  @Test
  void tokenForAnotherAudienceIsUnauthorized() {
    String shopToken = idp.accessToken("shop", idp.shopSecret);

    HttpResponse<String> response =
        idp.admin("GET", "/users", Optional.of(shopToken), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
  }

  @Test
  void tamperedTokenIsUnauthorized() {
    String[] parts = adminToken.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + "AAAA";

    HttpResponse<String> response =
        idp.admin("GET", "/users", Optional.of(forged), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void adminCreatesShowsAndListsUsersWithoutEchoingThePassword() {
    String userId = createAlice();

    HttpResponse<String> shown = call("GET", "/users/alice", null);
    assertThat(json(shown).path("user_id").asString()).isEqualTo(userId);
    assertThat(json(shown).path("email").asString()).isEqualTo("alice@example.com");
    assertThat(call("GET", "/users/" + userId, null).statusCode()).isEqualTo(200);
    assertThat(json(call("GET", "/users", null)).path("users").toString()).contains("alice");
    assertThat(shown.body()).doesNotContain(PASSWORD);
    assertThat(idp.audited)
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("admin.user.create");
              assertThat(e.subject()).contains("ops");
            })
        .allSatisfy(e -> assertThat(e.attributes().values()).noneMatch(v -> v.contains(PASSWORD)));
  }

  @Test
  void duplicateUserIsConflict() {
    createAlice();

    HttpResponse<String> again =
        call("POST", "/users", "{\"username\":\"Alice\",\"password\":\"" + PASSWORD + "\"}");

    assertThat(again.statusCode()).isEqualTo(409);
  }

  @Test
  void missingFieldIsInvalidRequestNamingTheField() {
    HttpResponse<String> response = call("POST", "/users", "{\"username\":\"bob\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error").asString()).isEqualTo("invalid_request");
    assertThat(json(response).path("error_description").asString()).contains("password");
  }

  @Test
  void weakPasswordIsRefusedWithoutEchoingIt() {
    HttpResponse<String> response =
        call("POST", "/users", "{\"username\":\"bob\",\"password\":\"hunter2\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).doesNotContain("hunter2");
  }

  @Test
  void misspeltFieldIsRefusedRatherThanIgnored() {
    createAlice();

    HttpResponse<String> response = call("PATCH", "/users/alice", "{\"enabeld\":false}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error_description").asString()).contains("enabeld");
    assertThat(idp.provider.user("alice").orElseThrow().enabled()).isTrue();
  }

  @Test
  void oversizedValuesAreInvalidRequestNotAServerError() {
    String longName = "x".repeat(201);

    assertThat(
            call(
                    "POST",
                    "/users",
                    "{\"username\":\"bob\",\"name\":\""
                        + longName
                        + "\",\"password\":\""
                        + PASSWORD
                        + "\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/users",
                    "{\"username\":\"bob\",\"email\":\"not-an-address\",\"password\":\""
                        + PASSWORD
                        + "\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/clients",
                    "{\"client_id\":\"big-client\",\"client_name\":\""
                        + longName
                        + "\",\"audiences\":[\"urn:a\"]}")
                .statusCode())
        .isEqualTo(400);
    assertThat(
            call("POST", "/groups", "{\"name\":\"g1\",\"description\":\"" + "d".repeat(401) + "\"}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void malformedJsonIsInvalidRequestNotAServerError() {
    HttpResponse<String> response = call("POST", "/users", "{\"username\":");

    assertThat(response.statusCode()).isEqualTo(400);
  }

  @Test
  void unknownUserIsNotFound() {
    assertThat(call("GET", "/users/nobody", null).statusCode()).isEqualTo(404);
    assertThat(call("PUT", "/users/nobody/roles/x", null).statusCode()).isEqualTo(404);
  }

  @Test
  void grantedRoleAppearsAndRevokedRoleGoes() {
    createAlice();

    HttpResponse<String> granted = call("PUT", "/users/alice/roles/payments-admin", null);
    assertThat(json(granted).path("roles").toString()).contains("payments-admin");
    assertThat(idp.provider.user("alice").orElseThrow().roles()).contains("payments-admin");

    HttpResponse<String> revoked = call("DELETE", "/users/alice/roles/payments-admin", null);
    assertThat(json(revoked).path("roles").toString()).doesNotContain("payments-admin");
    assertThat(idp.audited.stream().map(AuditEvent::action))
        .contains("admin.role.grant", "admin.role.revoke");
  }

  @Test
  void invalidRoleNameIsRefused() {
    createAlice();

    assertThat(call("PUT", "/users/alice/roles/bad%20role", null).statusCode()).isEqualTo(400);
  }

  @Test
  void patchDisablesAndRenamesAUser() {
    createAlice();

    HttpResponse<String> patched =
        call("PATCH", "/users/alice", "{\"enabled\":false,\"name\":\"Alice A.\"}");

    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(json(patched).path("enabled").asBoolean()).isFalse();
    assertThat(json(patched).path("name").asString()).isEqualTo("Alice A.");
    assertThat(call("PATCH", "/users/alice", "{\"enabled\":\"no\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void setPasswordAndDeleteUser() {
    createAlice();

    assertThat(
            call("PUT", "/users/alice/password", "{\"password\":\"another long passphrase 7\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(call("DELETE", "/users/alice", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/users/alice", null).statusCode()).isEqualTo(404);
  }

  @Test
  void groupsCarryMembersAndRoles() {
    createAlice();

    assertThat(
            call("POST", "/groups", "{\"name\":\"finance\",\"description\":\"Finance\"}")
                .statusCode())
        .isEqualTo(201);
    assertThat(call("POST", "/groups", "{\"name\":\"finance\"}").statusCode()).isEqualTo(409);
    call("PUT", "/groups/finance/members/alice", null);
    HttpResponse<String> group = call("PUT", "/groups/finance/roles/refunds", null);

    assertThat(json(group).path("roles").toString()).contains("refunds");
    assertThat(idp.provider.user("alice").orElseThrow().roles()).contains("refunds");
    call("DELETE", "/groups/finance/members/alice", null);
    assertThat(idp.provider.user("alice").orElseThrow().roles()).doesNotContain("refunds");
    assertThat(call("DELETE", "/groups/finance", null).statusCode()).isEqualTo(200);
    assertThat(call("DELETE", "/groups/finance", null).statusCode()).isEqualTo(404);
  }

  @Test
  void createdClientGetsItsSecretOnceAndItWorks() {
    HttpResponse<String> created =
        call(
            "POST",
            "/clients",
            "{\"client_id\":\"reports\",\"client_name\":\"Reports\","
                + "\"audiences\":[\"urn:bulwark:payments\"],\"scopes\":[\"payments:read\"]}");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String secret = json(created).path("client_secret").asString();
    assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
    assertThat(call("GET", "/clients/reports", null).body()).doesNotContain(secret);
    assertThat(idp.accessToken("reports", new ClientSecret(secret))).isNotBlank();
    assertThat(idp.audited)
        .allSatisfy(e -> assertThat(e.attributes().values()).noneMatch(v -> v.contains(secret)));
  }

  @Test
  void invalidClientIsRefusedNamingTheMember() {
    HttpResponse<String> response =
        call(
            "POST",
            "/clients",
            "{\"client_id\":\"xyz-client\",\"audiences\":[\"urn:a\"],\"signing_algorithm\":\"HS256\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("error_description").asString()).contains("signing_algorithm");
  }

  @Test
  void rotatedSecretReplacesTheOldOne() {
    HttpResponse<String> rotated = call("POST", "/clients/shop/secret", null);

    String secret = json(rotated).path("client_secret").asString();
    assertThat(
            idp.token(
                    "grant_type=client_credentials",
                    Optional.of(TestIdentityProvider.basic("shop", idp.shopSecret.reveal())))
                .statusCode())
        .isEqualTo(401);
    assertThat(idp.accessToken("shop", new ClientSecret(secret))).isNotBlank();
  }

  @Test
  void updateAndDeleteClient() {
    HttpResponse<String> updated =
        call(
            "PUT",
            "/clients/shop",
            "{\"client_name\":\"Shop 2\",\"audiences\":[\"urn:bulwark:payments\"]}");
    assertThat(json(updated).path("client_name").asString()).isEqualTo("Shop 2");
    assertThat(call("PUT", "/clients/shop", "{\"client_id\":\"other\"}").statusCode())
        .isEqualTo(400);

    assertThat(call("DELETE", "/clients/shop", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/clients/shop", null).statusCode()).isEqualTo(404);
    assertThat(idp.provider.hasClient("shop")).isFalse();
  }

  @Test
  void sessionsAreListedAndRevoked() {
    String userId = createAlice();
    String first;
    try (Database database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "test-sessions")) {
      SessionStore sessions = new SessionStore(database, Clock.systemUTC());
      first =
          sessions
              .start(userId, List.of("pwd"), "urn:bulwark:acr:pwd", Duration.ofHours(1), "::1")
              .session()
              .sessionId();
      sessions.start(userId, List.of("pwd"), "urn:bulwark:acr:pwd", Duration.ofHours(1), "::1");
    }

    assertThat(json(call("GET", "/users/alice/sessions", null)).path("sessions")).hasSize(2);
    HttpResponse<String> revoked = call("DELETE", "/sessions/" + first, null);
    assertThat(json(revoked).path("was_active").asBoolean()).isTrue();
    assertThat(call("DELETE", "/sessions/no-such-session", null).statusCode()).isEqualTo(404);
    HttpResponse<String> all = call("DELETE", "/users/alice/sessions", null);
    assertThat(json(all).path("revoked").asInt()).isEqualTo(1);
    assertThat(idp.audited.stream().map(AuditEvent::action))
        .contains("admin.session.revoke", "admin.session.revoke_all");
  }

  @Test
  void mfaResetRemovesSecondFactorsAndEndsSessions() {
    String userId = createAlice();
    try (Database database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "test-mfa")) {
      new dev.bulwark.identity.internal.mfa.RecoveryCodes(database, Clock.systemUTC())
          .issue(userId);
      new SessionStore(database, Clock.systemUTC())
          .start(userId, List.of("pwd", "otp"), "urn:bulwark:acr:mfa", Duration.ofHours(1), "::1");
    }
    assertThat(json(call("GET", "/users/alice/mfa", null)).path("recovery_codes_left").asInt())
        .isPositive();

    HttpResponse<String> reset = call("DELETE", "/users/alice/mfa", null);

    assertThat(reset.statusCode()).isEqualTo(200);
    assertThat(json(call("GET", "/users/alice/mfa", null)).path("recovery_codes_left").asInt())
        .isZero();
    JsonNode session = json(call("GET", "/users/alice/sessions", null)).path("sessions").get(0);
    assertThat(session.path("active").asBoolean()).isFalse();
    assertThat(idp.audited).anySatisfy(e -> assertThat(e.action()).isEqualTo("admin.mfa.reset"));
    assertThat(call("DELETE", "/users/nobody/mfa", null).statusCode()).isEqualTo(404);
    assertThat(
            idp.admin("DELETE", "/users/alice/mfa", Optional.of(viewerToken), Optional.empty())
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void keyRotationPublishesTheNewKeyAndOldTokensStillVerify() throws Exception {
    String before = idp.accessToken("shop", idp.shopSecret);
    String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
    long listed = json(call("GET", "/keys", null)).path("keys").size();

    HttpResponse<String> rotated = call("POST", "/keys/rotate", "{}");

    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(json(rotated).path("rotated")).hasSize(3);
    String after = idp.accessToken("shop", idp.shopSecret);
    String newKid = SignedJWT.parse(after).getHeader().getKeyID();
    assertThat(newKid).isNotEqualTo(oldKid);
    assertThat(idp.get("/jwks").body()).contains(oldKid, newKid);
    AccessTokenVerifier verifier =
        AccessTokenVerifier.builder()
            .issuer(idp.provider.issuer())
            .audience(TestIdentityProvider.PAYMENTS)
            .jwksUri(idp.provider.jwksUri(), idp.clientTls)
            .build();
    assertThat(verifier.verify(before)).isInstanceOf(TokenVerification.Verified.class);
    assertThat(verifier.verify(after)).isInstanceOf(TokenVerification.Verified.class);
    assertThat(json(call("GET", "/keys", null)).path("keys").size()).isEqualTo(listed + 3);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("keys.rotate"))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.subject()).contains("ops"));
    assertThat(idp.get("/jwks").headers().firstValue("Cache-Control"))
        .hasValue("public, max-age=300");
    assertThat(JWSAlgorithm.ES256.getName()).isEqualTo("ES256");
  }

  @Test
  void providerApiRotatesKeysToo() throws Exception {
    String before = SignedJWT.parse(idp.accessToken("shop", idp.shopSecret)).getHeader().getKeyID();

    idp.provider.rotateSigningKeys();

    assertThat(SignedJWT.parse(idp.accessToken("shop", idp.shopSecret)).getHeader().getKeyID())
        .isNotEqualTo(before);
    assertThat(idp.audited).anySatisfy(e -> assertThat(e.action()).isEqualTo("keys.rotate"));
  }

  @Test
  void unknownAdminPathIsNotFoundButStillNeedsAToken() {
    assertThat(idp.admin("GET", "/nothing", Optional.empty(), Optional.empty()).statusCode())
        .isEqualTo(401);
    assertThat(call("GET", "/nothing", null).statusCode()).isEqualTo(404);
  }
}
