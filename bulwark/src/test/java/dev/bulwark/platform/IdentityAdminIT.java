package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code bulwark identity} against a real {@code bulwark up}: users, roles, clients, key rotation
 * and sessions through the CLI, and the admin API's refusals for callers that are not admins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityAdminIT {
  @TempDir static Path work;
  private static Path data;
  private static TestBulwarkProcess bulwark;

  @BeforeAll
  static void startBulwark() throws Exception {
    data = work.resolve("data");
    bulwark = TestBulwarkProcess.up(data, Map.of());
  }

  @AfterAll
  static void stopBulwark() {
    if (bulwark != null) {
      bulwark.close();
    }
  }

  private static TestBulwarkProcess.Result cli(String... args) throws Exception {
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--data";
    full[args.length + 1] = data.toString();
    TestBulwarkProcess.Result result = TestBulwarkProcess.run(work, Map.of(), full);
    assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.stderr()).isZero();
    return result;
  }

  private static HttpResponse<String> admin(String path, Optional<String> bearer) {
    return bulwark.get(bulwark.component("identity", "/admin/v1" + path), bearer);
  }

  private static String clientToken(String clientId, String secret, String resource) {
    return bulwark.clientCredentialsToken(clientId, secret, resource);
  }

  @Test
  @Order(1)
  void cliCreatesAUserAndGrantsARole() throws Exception {
    Path password =
        Files.writeString(work.resolve("alice.pw"), "correct horse battery staple 42\n");

    TestBulwarkProcess.Result created =
        cli(
            "identity",
            "users",
            "create",
            "alice",
            "--name",
            "Alice",
            "--email",
            "alice@example.com",
            "--password-file",
            password.toString());
    cli("identity", "users", "grant-role", "alice", "payments-admin");
    TestBulwarkProcess.Result shown = cli("identity", "users", "show", "alice");
    TestBulwarkProcess.Result listed = cli("identity", "users", "list");

    assertThat(created.stdout()).contains("alice");
    assertThat(Json.MAPPER.readTree(shown.stdout()).path("roles").toString())
        .contains("payments-admin");
    assertThat(listed.stdout()).contains("alice").contains("payments-admin");
    assertThat(created.stdout() + shown.stdout()).doesNotContain("correct horse");
  }

  @Test
  @Order(2)
  void adminApiRefusesNoTokenAndTokensOfNonAdmins() throws Exception {
    HttpResponse<String> anonymous = admin("/users", Optional.empty());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

    String shopToken = bulwark.token("demo-shop", Optional.empty());
    assertThat(admin("/users", Optional.of(shopToken)).statusCode())
        .as("a token for another audience")
        .isEqualTo(401);

    // A client that may ask for admin-audience tokens but holds no identity-admin role.
    Path auditor =
        Files.writeString(
            work.resolve("auditor.json"),
            "{\"client_id\":\"auditor\",\"client_name\":\"Auditor\","
                + "\"audiences\":[\"urn:bulwark:admin\"],\"roles\":[\"auditor\"]}");
    JsonNode registered =
        Json.MAPPER.readTree(
            cli("identity", "clients", "create", "--json", auditor.toString()).stdout());
    String secret = registered.path("client_secret").asString();
    assertThat(secret).isNotBlank();
    String auditorToken = clientToken("auditor", secret, "urn:bulwark:admin");

    HttpResponse<String> forbidden = admin("/users", Optional.of(auditorToken));
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(Json.MAPPER.readTree(forbidden.body()).path("error").asString())
        .isEqualTo("insufficient_scope");
    assertThat(cli("identity", "clients", "list").stdout()).contains("auditor", "bulwark-admin");
  }

  @Test
  @Order(3)
  void rotationPublishesTheNewKeyAndOldTokensStillWork() throws Exception {
    String before = bulwark.token("demo-shop", Optional.empty());
    String oldKid = SignedJWT.parse(before).getHeader().getKeyID();

    TestBulwarkProcess.Result rotated = cli("identity", "keys", "rotate");

    assertThat(rotated.stdout()).contains("ES256", "RS256", "EdDSA");
    String after = bulwark.token("demo-shop", Optional.empty());
    String newKid = SignedJWT.parse(after).getHeader().getKeyID();
    assertThat(newKid).isNotEqualTo(oldKid);
    String jwks = bulwark.get(bulwark.component("identity", "/jwks"), Optional.empty()).body();
    assertThat(jwks).contains(oldKid, newKid).doesNotContain("\"d\"");
    assertThat(bulwark.get(bulwark.gateway("/payments"), Optional.of(before)).statusCode())
        .as("a token signed before the rotation")
        .isEqualTo(200);
    assertThat(bulwark.get(bulwark.gateway("/payments"), Optional.of(after)).statusCode())
        .as("a token signed by the promoted key")
        .isEqualTo(200);
    assertThat(cli("identity", "keys", "list").stdout())
        .contains(oldKid + " ES256  previous")
        .contains(newKid + " ES256  current");
  }

  @Test
  @Order(4)
  void cliListsAndRevokesAUsersSession() throws Exception {
    // Sign-in lives in another part of the provider: start a session the way it does, in the
    // provider's database while it is stopped.
    assertThat(bulwark.stop()).isIn(0, 143);
    String userId;
    String sid;
    try (Database database =
        Database.open(DatabaseSettings.embedded(data.resolve("identity"), "identity"), "it")) {
      userId =
          database.inTransaction(
              connection -> {
                try (var select =
                    connection.prepareStatement("SELECT user_id FROM users WHERE username = ?")) {
                  select.setString(1, "alice");
                  try (var rows = select.executeQuery()) {
                    rows.next();
                    return rows.getString(1);
                  }
                }
              });
      SessionStore sessions = new SessionStore(database, Clock.systemUTC());
      sid =
          sessions
              .start(userId, List.of("pwd"), "urn:bulwark:acr:pwd", Duration.ofHours(1), "::1")
              .session()
              .sessionId();
      sessions.start(userId, List.of("pwd"), "urn:bulwark:acr:pwd", Duration.ofHours(1), "::1");
    }
    bulwark = TestBulwarkProcess.up(data, Map.of());

    assertThat(cli("identity", "sessions", "list", "alice").stdout()).contains(sid + " active");
    assertThat(cli("identity", "sessions", "revoke", sid).stdout()).contains("revoked session");
    assertThat(cli("identity", "sessions", "list", "alice").stdout()).contains(sid + " ended");
    assertThat(cli("identity", "sessions", "revoke-all", "alice").stdout())
        .contains("revoked 1 session(s)");

    assertThat(cli("identity", "users", "reset-mfa", "alice").stdout())
        .contains("second factors removed");
    assertThat(cli("identity", "users", "mfa", "alice").stdout())
        .contains("not set up, 0 recovery code(s) left");

    TestBulwarkProcess.Result unknown =
        TestBulwarkProcess.run(
            work,
            Map.of(),
            "identity",
            "sessions",
            "revoke",
            "no-such-sid",
            "--data",
            data.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr()).contains("404").hasLineCount(2);
  }
}
