package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The policy store under {@code bulwark up}: the operator changes the gateway's route policy
 * through the API, a bad set is refused and the old one stays, the gateway picks the new set up
 * within its poll interval, and a restart keeps it.
 */
class PolicyStoreIT {
  private static final String FORBID_LISTING =
      "@id(\"no-payment-listing\") forbid (principal, action == Action::\"GET /payments\","
          + " resource == Route::\"payments\");";

  @TempDir Path work;

  @Test
  void operatorUpdatesTheGatewayPolicyAndTheRouteBecomesForbidden() throws Exception {
    Path data = work.resolve("data");
    Map<String, String> env = Map.of("BULWARK_GATEWAY_POLICY_POLL_INTERVAL", "300ms");
    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, env);
        HttpClient operator = HttpClient.newBuilder().sslContext(up.operatorTls()).build()) {
      URI gatewaySet = up.component("policy", "/v1/policies/gateway");
      String token = up.token("demo-shop", Optional.empty());
      assertThat(up.get(up.gateway("/payments"), Optional.of(token)).statusCode())
          .as("the seeded reference policy lets an authenticated caller through")
          .isEqualTo(200);

      HttpResponse<String> seeded = TestBulwarkProcess.send(operator, get(gatewaySet).build());
      assertThat(seeded.statusCode()).isEqualTo(200);
      assertThat(seeded.headers().firstValue("ETag")).hasValue("\"1\"");
      JsonNode seededBody = Json.MAPPER.readTree(seeded.body());
      assertThat(seededBody.path("name").asString()).isEqualTo("gateway");
      assertThat(seededBody.path("version").asLong()).isEqualTo(1);
      String reference = seededBody.path("policies").asString();
      assertThat(reference).contains("authenticated-audience");
      assertThat(
              TestBulwarkProcess.send(
                      operator, get(gatewaySet).header("If-None-Match", "\"1\"").build())
                  .statusCode())
          .isEqualTo(304);
      assertThat(
              TestBulwarkProcess.send(
                      operator, get(up.component("policy", "/v1/policies/nope")).build())
                  .statusCode())
          .isEqualTo(404);

      HttpResponse<String> bad =
          TestBulwarkProcess.send(operator, put(gatewaySet, "permit (principal, action"));
      assertThat(bad.statusCode()).isEqualTo(400);
      JsonNode badBody = Json.MAPPER.readTree(bad.body());
      assertThat(badBody.path("error").asString()).isEqualTo("invalid_policy");
      assertThat(badBody.path("details").get(0).asString()).startsWith("parse_error");
      assertThat(
              Json.MAPPER
                  .readTree(TestBulwarkProcess.send(operator, get(gatewaySet).build()).body())
                  .path("version")
                  .asLong())
          .as("the refused set did not replace the stored one")
          .isEqualTo(1);

      try (WorkloadIdentity payments = up.attest("spiffe://bulwark.local/bulwark/payments")) {
        HttpClient asPayments = up.httpAs(payments);
        assertThat(
                TestBulwarkProcess.send(asPayments, put(gatewaySet, FORBID_LISTING)).statusCode())
            .as("only the operator changes policies")
            .isEqualTo(403);
        assertThat(TestBulwarkProcess.send(asPayments, get(gatewaySet).build()).statusCode())
            .as("payments may not read the gateway's set")
            .isEqualTo(403);
      }

      HttpResponse<String> good =
          TestBulwarkProcess.send(operator, put(gatewaySet, reference + FORBID_LISTING));
      assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(good.body()).path("version").asLong()).isEqualTo(2);

      int status = 200;
      for (int i = 0; i < 50 && status != 403; i++) {
        Thread.sleep(100);
        status = up.get(up.gateway("/payments"), Optional.of(token)).statusCode();
      }
      assertThat(status).as("forbidden once the gateway polled the new set").isEqualTo(403);
      assertThat(
              up.postJson(
                      up.gateway("/payments"),
                      token,
                      "{\"amount\":\"1.00\",\"currency\":\"EUR\",\"description\":\"tea\"}")
                  .statusCode())
          .as("the forbid names only the listing")
          .isEqualTo(201);
      // The audit emitter sends in batches: the gateway's deny reaches the trail shortly after.
      String logs = up.logs();
      for (int i = 0; i < 50 && !logs.contains("\"policy.decision\""); i++) {
        Thread.sleep(100);
        logs = up.logs();
      }
      assertThat(logs).contains("policy.update").contains("\"policy.decision\"");
      assertThat(up.stop()).isIn(0, 143);
    }

    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, env);
        HttpClient operator = HttpClient.newBuilder().sslContext(up.operatorTls()).build()) {
      HttpResponse<String> kept =
          TestBulwarkProcess.send(
              operator, get(up.component("policy", "/v1/policies/gateway")).build());
      assertThat(Json.MAPPER.readTree(kept.body()).path("version").asLong())
          .as("a restart keeps the stored set")
          .isEqualTo(2);
      String token = up.token("demo-shop", Optional.empty());
      assertThat(up.get(up.gateway("/payments"), Optional.of(token)).statusCode()).isEqualTo(403);
    }
  }

  @Test
  void operatorChangesThePaymentsPolicyAndTheServiceFollowsWithinItsPollInterval()
      throws Exception {
    Map<String, String> env = Map.of("BULWARK_SERVICES_POLICY_POLL_INTERVAL", "300ms");
    try (TestBulwarkProcess up = TestBulwarkProcess.up(work.resolve("data"), env);
        HttpClient operator = HttpClient.newBuilder().sslContext(up.operatorTls()).build()) {
      URI paymentsSet = up.component("policy", "/v1/policies/payments");
      String shop = up.token("demo-shop", Optional.empty());
      String finance = up.token("demo-finance", Optional.empty());
      String first = createPayment(up, shop);
      assertThat(refund(up, finance, first))
          .as("the seeded set wants role finance and MFA, which a client token lacks")
          .isEqualTo(403);

      JsonNode seeded =
          Json.MAPPER.readTree(TestBulwarkProcess.send(operator, get(paymentsSet).build()).body());
      assertThat(seeded.path("version").asLong()).isEqualTo(1);
      String schema = seeded.path("schema").asString();
      assertThat(schema).contains("action refund");
      // In the payments service every token's principal is User::"<sub>" (examples' Caller), and
      // a client-credentials token's sub is its client id.
      String withBackOffice =
          seeded.path("policies").asString()
              + "\n@id(\"back-office-refunds\")\npermit (principal == User::\"demo-finance\","
              + " action == Action::\"refund\", resource is Payment)\n"
              + "when { context.amount <= context.limit };\n";
      HttpResponse<String> good =
          TestBulwarkProcess.send(operator, put(paymentsSet, withBackOffice, Optional.of(schema)));
      assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(good.body()).path("version").asLong()).isEqualTo(2);

      long changed = System.nanoTime();
      int status = 403;
      for (int i = 0; i < 50 && status == 403; i++) {
        Thread.sleep(100);
        status = refund(up, finance, first);
      }
      long tookMillis = (System.nanoTime() - changed) / 1_000_000;
      assertThat(status).as("refunded once payments polled version 2").isEqualTo(200);
      assertThat(tookMillis).as("within a few poll intervals of 300ms").isLessThan(3_000);
      assertThat(refund(up, finance, first)).as("already refunded").isEqualTo(409);

      String typeError =
          withBackOffice
              + "@id(\"amount-as-text\")\npermit (principal, action == Action::\"refund\","
              + " resource is Payment)\nwhen { context.amount <= \"a lot\" };\n";
      HttpResponse<String> bad =
          TestBulwarkProcess.send(operator, put(paymentsSet, typeError, Optional.of(schema)));
      assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
      assertThat(Json.MAPPER.readTree(bad.body()).path("details").get(0).asString())
          .startsWith("validation_failed");
      assertThat(
              Json.MAPPER
                  .readTree(TestBulwarkProcess.send(operator, get(paymentsSet).build()).body())
                  .path("version")
                  .asLong())
          .as("the set failing strict validation was not stored")
          .isEqualTo(2);
      // Valid, but a policy no request can match is worth telling the operator.
      String impossible =
          withBackOffice
              + "@id(\"payments-as-users\")\npermit (principal is Payment, action, resource);\n";
      HttpResponse<String> warned =
          TestBulwarkProcess.send(operator, put(paymentsSet, impossible, Optional.of(schema)));
      assertThat(warned.statusCode()).as(warned.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(warned.body()).path("warnings").get(0).asString())
          .startsWith("payments-as-users: impossible policy");
      Thread.sleep(1_000);
      String second = createPayment(up, shop);
      assertThat(refund(up, finance, second))
          .as("payments keeps deciding, now with version 3")
          .isEqualTo(200);
      assertThat(up.stop()).isIn(0, 143);
    }
  }

  private static String createPayment(TestBulwarkProcess up, String token) {
    HttpResponse<String> created =
        up.postJson(
            up.gateway("/payments"),
            token,
            "{\"amount\":\"20.00\",\"currency\":\"EUR\",\"description\":\"refundable\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return Json.MAPPER.readTree(created.body()).path("id").asString();
  }

  private static int refund(TestBulwarkProcess up, String token, String payment) {
    return up.postJson(up.gateway("/payments/" + payment + "/refund"), token, "{}").statusCode();
  }

  private static HttpRequest.Builder get(URI uri) {
    return HttpRequest.newBuilder(uri);
  }

  private static HttpRequest put(URI uri, String policies) {
    return put(uri, policies, Optional.empty());
  }

  private static HttpRequest put(URI uri, String policies, Optional<String> schema) {
    ObjectNode body = Json.object().put("policies", policies);
    schema.ifPresent(text -> body.put("schema", text));
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
        .build();
  }
}
