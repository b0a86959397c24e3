package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code bulwark up} as a user runs it: a real process, real HTTPS, real tokens. */
class UpEndToEndIT {
  @TempDir static Path work;
  private static TestBulwarkProcess bulwark;
  private static String shopToken;

  @BeforeAll
  static void startBulwark() throws Exception {
    bulwark = TestBulwarkProcess.up(work.resolve("data"), Map.of());
    System.out.printf(
        "bulwark up: serving %d ms after JVM start (%d ms after launch seen by the test)%n",
        bulwark.manifest.path("startup_ms").asLong(),
        System.currentTimeMillis() - bulwark.launchedAtMillis);
    shopToken = bulwark.token("demo-shop", Optional.empty());
  }

  @AfterAll
  static void stopBulwark() throws Exception {
    if (bulwark != null) {
      bulwark.close();
    }
  }

  @Test
  void demoClientTokenOpensPaymentsThroughTheGateway() {
    HttpResponse<String> response =
        bulwark.get(bulwark.gateway("/payments"), Optional.of(shopToken));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(response.body()).path("payments").isArray()).isTrue();
    assertThat(response.headers().firstValue("Strict-Transport-Security")).isPresent();
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void requestWithoutTokenIsRefusedWithBearerChallenge() {
    HttpResponse<String> response = bulwark.get(bulwark.gateway("/payments"), Optional.empty());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  void tokenWithOneSignatureByteFlippedIsRefused() {
    String[] parts = shopToken.split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[signature.length / 2] ^= 0x01;
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);

    HttpResponse<String> response =
        bulwark.get(bulwark.gateway("/payments"), Optional.of(tampered));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\""));
  }

  @Test
  void unsignedAlgNoneTokenIsRefused() {
    String[] parts = shopToken.split("\\.");
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                "{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8));
    String unsigned = header + "." + parts[1] + ".";

    HttpResponse<String> response =
        bulwark.get(bulwark.gateway("/payments"), Optional.of(unsigned));

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void tokenWithForgedClaimsButOriginalSignatureIsRefused() {
    String[] parts = shopToken.split("\\.");
    ObjectNode claims = (ObjectNode) Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    claims.put("exp", claims.path("exp").asLong() + 86_400);
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(claims))
            + "."
            + parts[2];

    assertThat(bulwark.get(bulwark.gateway("/payments"), Optional.of(forged)).statusCode())
        .isEqualTo(401);
  }

  @Test
  void tokenForAnotherAudienceIsRefused() {
    String profilesOnly = bulwark.token("demo-shop", Optional.of("urn:bulwark:profiles"));

    HttpResponse<String> response =
        bulwark.get(bulwark.gateway("/payments"), Optional.of(profilesOnly));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("not meant for urn:bulwark:payments");
    assertThat(bulwark.get(bulwark.gateway("/profiles/me"), Optional.of(profilesOnly)).statusCode())
        .isIn(200, 404);
  }

  @Test
  void servicePortRefusesAClientWithoutAWorkloadCertificate() {
    assertThatThrownBy(
            () -> bulwark.get(bulwark.component("payments", "/payments"), Optional.empty()))
        .isInstanceOf(java.io.UncheckedIOException.class);
    assertThatThrownBy(
            () -> bulwark.get(bulwark.component("profiles", "/profiles/me"), Optional.empty()))
        .isInstanceOf(java.io.UncheckedIOException.class);
  }

  @Test
  void servicePortVerifiesTokensItselfEvenFromTheGatewaysIdentity() throws Exception {
    // Zero trust: a caller holding the gateway's own identity still needs a valid token.
    try (WorkloadIdentity gateway = bulwark.attest("spiffe://bulwark.local/bulwark/gateway")) {
      HttpClient asGateway = bulwark.httpAs(gateway);
      String profilesOnly = bulwark.token("demo-shop", Optional.of("urn:bulwark:profiles"));

      assertThat(call(asGateway, bulwark.component("payments", "/payments"), Optional.empty()))
          .isEqualTo(401);
      assertThat(call(asGateway, bulwark.component("profiles", "/profiles/me"), Optional.empty()))
          .isEqualTo(401);
      assertThat(
              call(asGateway, bulwark.component("payments", "/payments"), Optional.of(shopToken)))
          .isEqualTo(200);
      assertThat(
              call(
                  asGateway, bulwark.component("payments", "/payments"), Optional.of(profilesOnly)))
          .isEqualTo(401);
    }
  }

  private static int call(HttpClient client, java.net.URI uri, Optional<String> bearer) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(10));
    bearer.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return TestBulwarkProcess.send(client, request.build()).statusCode();
  }

  @Test
  void paymentCanBeCreatedReadAndRefundedOnlyByTheRightClients() {
    HttpResponse<String> created =
        bulwark.postJson(
            bulwark.gateway("/payments"),
            shopToken,
            "{\"amount\":\"42.00\",\"currency\":\"EUR\",\"description\":\"books\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String id = Json.MAPPER.readTree(created.body()).path("id").asString();
    assertThat(created.headers().firstValue("Location")).hasValue("/payments/" + id);

    assertThat(bulwark.get(bulwark.gateway("/payments/" + id), Optional.of(shopToken)).statusCode())
        .isEqualTo(200);
    HttpResponse<String> refusedRefund =
        bulwark.postJson(bulwark.gateway("/payments/" + id + "/refund"), shopToken, "{}");
    assertThat(refusedRefund.statusCode()).isEqualTo(403);
    assertThat(refusedRefund.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("insufficient_scope"));

    // The payments policy (from the policy store) lets role finance refund with MFA and read any
    // payment; a client-credentials token carries neither, so the back-office client is refused
    // (a finance user who stepped up to MFA refunds in UserSignInEndToEndIT).
    String financeToken = bulwark.token("demo-finance", Optional.empty());
    HttpResponse<String> financeRefund =
        bulwark.postJson(bulwark.gateway("/payments/" + id + "/refund"), financeToken, "{}");
    assertThat(financeRefund.statusCode()).isEqualTo(403);
    assertThat(Json.MAPPER.readTree(financeRefund.body()).path("error").asString())
        .isEqualTo("forbidden");
    HttpResponse<String> financeRead =
        bulwark.get(bulwark.gateway("/payments/" + id), Optional.of(financeToken));
    assertThat(financeRead.statusCode())
        .as("a payment the policy hides is reported absent, so ids cannot be probed")
        .isEqualTo(404);
    assertThat(bulwark.get(bulwark.gateway("/payments/" + id), Optional.of(shopToken)).statusCode())
        .as("the owner still reads its payment")
        .isEqualTo(200);

    JsonNode deny = awaitPaymentsDenyOf("User::\"demo-finance\"", "Action::\"refund\"");
    assertThat(deny.path("outcome").asString()).isEqualTo("DENIED");
    assertThat(deny.path("attributes").path("determining_policies").asString())
        .as("a default deny: no policy decided it")
        .isEmpty();
    assertThat(deny.path("attributes").path("reason").asString()).isEqualTo("no_permit");
    assertThat(deny.path("attributes").path("resource").asString())
        .isEqualTo("Payment::\"" + id + "\"");
  }

  // The payments service's policy.decision denies reach the audit trail; searched as the operator.
  private static JsonNode awaitPaymentsDenyOf(String principal, String action) {
    try (HttpClient operator = HttpClient.newBuilder().sslContext(bulwark.operatorTls()).build()) {
      java.net.URI query =
          bulwark.component(
              "audit", "/v1/query?component=payments&action=policy.decision&limit=100");
      for (int i = 0; i < 100; i++) {
        HttpResponse<String> found =
            TestBulwarkProcess.send(operator, HttpRequest.newBuilder(query).build());
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        for (JsonNode record : Json.MAPPER.readTree(found.body()).path("records")) {
          JsonNode event = record.path("event");
          if (principal.equals(event.path("attributes").path("principal").asString())
              && action.equals(event.path("attributes").path("requested_action").asString())) {
            return event;
          }
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no policy.decision deny of " + principal + " in the audit trail");
  }

  @Test
  void invalidPaymentIsRefusedWithTheFieldNamed() {
    HttpResponse<String> response =
        bulwark.postJson(
            bulwark.gateway("/payments"), shopToken, "{\"amount\":\"-5\",\"currency\":\"EUR\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("amount");
  }

  @Test
  void profileIsOwnerOnly() {
    HttpRequest put =
        HttpRequest.newBuilder(bulwark.gateway("/profiles/demo-shop"))
            .header("Authorization", "Bearer " + shopToken)
            .header("Content-Type", "application/json")
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    "{\"display_name\":\"Demo Shop\",\"email\":\"shop@example.com\"}"))
            .build();
    assertThat(bulwark.send(put).statusCode()).isEqualTo(200);

    assertThat(bulwark.get(bulwark.gateway("/profiles/me"), Optional.of(shopToken)).body())
        .contains("Demo Shop");
    assertThat(
            bulwark
                .get(bulwark.gateway("/profiles/someone-else"), Optional.of(shopToken))
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void unknownRouteIsNotFound() {
    assertThat(bulwark.get(bulwark.gateway("/admin"), Optional.of(shopToken)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void encodedTraversalIsRefusedBeforeAnyService() {
    assertThat(
            bulwark
                .get(bulwark.gateway("/payments/..%2f..%2fadmin"), Optional.of(shopToken))
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void gatewayNegotiatesHttp2() {
    try (HttpClient h2 =
        HttpClient.newBuilder()
            .sslContext(bulwark.tls)
            .version(HttpClient.Version.HTTP_2)
            .build()) {
      HttpResponse<String> response =
          h2.send(
              HttpRequest.newBuilder(bulwark.gateway("/payments"))
                  .header("Authorization", "Bearer " + shopToken)
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(response.statusCode()).isEqualTo(200);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void gatewayRefusesTls12() throws Exception {
    SSLParameters tls12 = new SSLParameters();
    tls12.setProtocols(new String[] {"TLSv1.2"});
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(null, null, null);

    try (HttpClient client =
        HttpClient.newBuilder().sslContext(context).sslParameters(tls12).build()) {
      assertThatThrownBy(
              () ->
                  client.send(
                      HttpRequest.newBuilder(bulwark.gateway("/payments")).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void requestIdIsCarriedFromGatewayToService() throws Exception {
    HttpResponse<String> response =
        bulwark.get(
            bulwark.gateway("/payments"),
            Optional.of(shopToken),
            Map.of("X-Request-Id", "chosen-by-client-0001"));

    String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(requestId)
        .as("the public edge issues its own id")
        .isNotEqualTo("chosen-by-client-0001");
    // The gateway logs its line once the answer is on its way, after the service has logged.
    String logs =
        awaitLogContaining(
            "\"request_id\":\"" + requestId + "\",\"component\":\"payments\"",
            "\"request_id\":\"" + requestId + "\",\"component\":\"gateway\"");
    assertThat(logs).contains("\"request_id\":\"" + requestId + "\",\"component\":\"gateway\"");
    assertThat(logs).contains("\"request_id\":\"" + requestId + "\",\"component\":\"payments\"");
  }

  @Test
  void healthAndMetricsAnswerOnEveryComponent() {
    HttpClient operator = bulwark.operatorHttp();
    for (String component :
        new String[] {"identity", "payments", "profiles", "gateway-admin", "ca"}) {
      HttpResponse<String> health =
          TestBulwarkProcess.send(
              operator, HttpRequest.newBuilder(bulwark.component(component, "/health")).build());
      assertThat(health.statusCode()).as(component).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"UP\"");
      assertThat(
              TestBulwarkProcess.send(
                      operator,
                      HttpRequest.newBuilder(bulwark.component(component, "/metrics")).build())
                  .body())
          .as(component)
          .contains("http_server_requests_seconds");
    }
  }

  @Test
  void upJsonIsPrivateAndComplete() throws Exception {
    Path file = bulwark.data.resolve("up.json");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    JsonNode manifest = bulwark.manifest;
    assertThat(manifest.path("components").propertyNames())
        .contains("gateway", "identity", "payments", "profiles");
    assertThat(manifest.path("admin").path("client_secret").asString()).isNotBlank();
    assertThat(manifest.path("demo_clients").get(0).path("client_id").asString()).isNotBlank();
    assertThat(Path.of(manifest.path("ca_certificate").asString())).exists();
  }

  @Test
  void logsHoldNoSecretsOrTokens() throws Exception {
    bulwark.get(bulwark.gateway("/payments"), Optional.of(shopToken));
    String logs = awaitLogContaining("GET /payments", "component");

    assertThat(logs).isNotEmpty();
    for (JsonNode client : bulwark.manifest.path("demo_clients")) {
      assertThat(logs).doesNotContain(client.path("client_secret").asString());
    }
    assertThat(logs)
        .doesNotContain(bulwark.manifest.path("admin").path("client_secret").asString());
    assertThat(logs).doesNotContain(shopToken).doesNotContain(shopToken.split("\\.")[2]);
    String stdout = Files.readString(bulwark.stdout);
    assertThat(stdout).contains("Bulwark is up");
  }

  @Test
  void tokenCommandPrintsAUsableToken() throws Exception {
    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(work, Map.of(), "token", "--data", bulwark.data.toString());

    assertThat(result.exitCode()).isZero();
    String token = result.stdout().strip();
    assertThat(bulwark.get(bulwark.gateway("/payments"), Optional.of(token)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void secondUpOnTheSameDataDirectoryIsRefused() throws Exception {
    TestBulwarkProcess.Result second =
        TestBulwarkProcess.run(
            work, Map.of(), "up", "--data", bulwark.data.toString(), "--port-base", "0");

    assertThat(second.exitCode()).isNotZero();
    assertThat(second.stderr()).contains("in use by another 'bulwark up'");
    assertThat(bulwark.process.isAlive()).isTrue();
  }

  private static String awaitLogContaining(String... needles) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    String logs = bulwark.logs();
    while (System.nanoTime() < deadline) {
      String current = logs;
      if (java.util.Arrays.stream(needles).allMatch(current::contains)) {
        return logs;
      }
      Thread.sleep(50);
      logs = bulwark.logs();
    }
    return logs;
  }
}
