package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail of a real {@code bulwark up}: refusals at the edge reach the collector over
 * mutual TLS, survive {@code kill -9}, verify, can be searched and proven, raise alerts, and any
 * edit of the stored log is named by {@code bulwark audit verify}.
 */
class AuditTrailIT {
  @TempDir Path work;

  @Test
  void acknowledgedEventsSurviveKillMinus9AndVerify() throws Exception {
    Path data = work.resolve("data");
    Set<String> refusedRequestIds = new HashSet<>();
    try (TestBulwarkProcess up =
        TestBulwarkProcess.up(
            data, TestBulwarkProcess.env("BULWARK_AUDIT_BRUTE_FORCE_THRESHOLD", "3"))) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> refused = up.get(up.gateway("/payments"), Optional.empty());
        assertThat(refused.statusCode()).isEqualTo(401);
        refusedRequestIds.add(refused.headers().firstValue("X-Request-Id").orElseThrow());
      }
      for (int i = 0; i < 3; i++) {
        assertThat(wrongSecret(up).statusCode()).isEqualTo(401);
      }

      // Once a query sees them they are durable: the collector answers only from stored records.
      List<JsonNode> stored =
          awaitRecords(data, 5, "--action", "gateway.request", "--component", "gateway");
      assertThat(stored)
          .extracting(r -> r.path("event").path("attributes").path("request_id").asString())
          .containsAll(refusedRequestIds);
      assertThat(stored)
          .allSatisfy(
              r -> {
                JsonNode attributes = r.path("event").path("attributes");
                assertThat(attributes.path("status").asString()).isEqualTo("401");
                assertThat(attributes.path("source_address").asString())
                    .as("the address is read before the client can close the connection")
                    .isEqualTo("127.0.0.1");
                assertThat(attributes.path("reported_by").asString())
                    .as("stamped by the collector from the sender's SVID")
                    .endsWith("/bulwark/gateway");
              });
      List<JsonNode> logins =
          awaitRecords(data, 3, "--action", "client.login", "--outcome", "failure");
      assertThat(logins).allSatisfy(r -> assertThat(r.toString()).doesNotContain("not-the-secret"));
      awaitLogLine(data, "brute_force");

      up.process.destroyForcibly();
      assertThat(up.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(data.resolve("up.json")).as("a killed process cannot clean up").exists();

    TestBulwarkProcess.Result verified = cli("audit", "verify", "--data", data.toString());
    assertThat(verified.exitCode()).as(verified.stdout() + verified.stderr()).isZero();
    assertThat(verified.stdout()).startsWith("intact:");

    try (TestBulwarkProcess again = TestBulwarkProcess.up(data, Map.of())) {
      assertThat(again.process.isAlive()).isTrue();
      List<JsonNode> afterRestart =
          awaitRecords(data, 5, "--action", "gateway.request", "--component", "gateway");
      assertThat(afterRestart)
          .extracting(r -> r.path("event").path("attributes").path("request_id").asString())
          .as("every event acknowledged before kill -9 is still there")
          .containsAll(refusedRequestIds);
      long sequence = afterRestart.getLast().path("sequence").asLong();
      TestBulwarkProcess.Result proof = awaitProof(data, sequence);
      assertThat(proof.stdout()).contains("verified: record " + sequence + " is in the log");
    }
  }

  @Test
  void verifyNamesTheFirstEditedRecord() throws Exception {
    Path data = work.resolve("data");
    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, Map.of())) {
      for (int i = 0; i < 3; i++) {
        up.get(up.gateway("/payments"), Optional.empty());
      }
      awaitRecords(data, 3, "--action", "gateway.request");
      assertThat(up.stop()).isIn(0, 143);
    }
    TestBulwarkProcess.Result before = cli("audit", "verify", "--data", data.toString());
    assertThat(before.exitCode()).as(before.stdout() + before.stderr()).isZero();

    Path segment;
    try (Stream<Path> files = Files.list(data.resolve("audit/log"))) {
      segment =
          files
              .filter(f -> f.getFileName().toString().startsWith("segment-"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(segment);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("\"status\":\"401\"");
    assertThat(at).isPositive();
    bytes[at + 11] = '2';
    Files.write(segment, bytes);

    TestBulwarkProcess.Result after = cli("audit", "verify", "--data", data.toString());
    assertThat(after.exitCode()).isEqualTo(1);
    assertThat(after.stdout()).startsWith("TAMPERED: record ");
  }

  @Test
  void collectorTakesTheReporterFromItsCertificateAndRefusesBadBatches() throws Exception {
    Path data = work.resolve("data");
    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, Map.of())) {
      String reporterId = "spiffe://bulwark.local/ns/shop/sa/orders";
      try (WorkloadIdentity reporter = up.attest(reporterId)) {
        HttpClient client = up.httpAs(reporter);
        AuditEvent forged =
            AuditEvent.builder("orders", "order.cancel", AuditEvent.Outcome.SUCCESS)
                .subject("alice")
                .attribute("reported_by", "spiffe://bulwark.local/bulwark/ca")
                .build();
        AuditEvent second =
            AuditEvent.builder("orders", "order.cancel", AuditEvent.Outcome.DENIED)
                .subject("bob")
                .build();
        String batch = ndjson(forged, second);

        HttpResponse<String> accepted = postEvents(up, client, batch, "application/x-ndjson");
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(accepted.body()).path("accepted").asInt()).isEqualTo(2);
        HttpResponse<String> retried = postEvents(up, client, batch, "application/x-ndjson");
        assertThat(retried.statusCode()).as("a retried batch is acknowledged").isEqualTo(200);

        List<JsonNode> stored = awaitRecords(data, 2, "--action", "order.cancel");
        assertThat(stored).as("stored once despite the retry").hasSize(2);
        assertThat(stored)
            .allSatisfy(
                r ->
                    assertThat(r.path("event").path("attributes").path("reported_by").asString())
                        .as("the reporter comes from the certificate, not the body")
                        .isEqualTo(reporterId));

        HttpResponse<String> malformed =
            postEvents(up, client, ndjson(second) + "{\"id\":\"x\"}\n", "application/x-ndjson");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(malformed.body()).path("line").asInt()).isEqualTo(2);
        assertThat(postEvents(up, client, batch, "text/plain").statusCode()).isEqualTo(415);

        HttpResponse<String> query =
            TestBulwarkProcess.send(
                client, HttpRequest.newBuilder(up.component("audit", "/v1/query?limit=5")).build());
        assertThat(query.statusCode()).as("searching the trail is for the operator").isEqualTo(403);
      }
      assertThatThrownBy(() -> postEvents(up, up.http, "{}\n", "application/x-ndjson"))
          .as("no client certificate, no handshake")
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  private static String ndjson(AuditEvent... events) {
    StringBuilder body = new StringBuilder();
    for (AuditEvent event : events) {
      body.append(new String(AuditEventCodec.encode(event), StandardCharsets.UTF_8)).append('\n');
    }
    return body.toString();
  }

  private static HttpResponse<String> postEvents(
      TestBulwarkProcess up, HttpClient client, String body, String contentType) {
    return TestBulwarkProcess.send(
        client,
        HttpRequest.newBuilder(up.component("audit", "/v1/events"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private HttpResponse<String> wrongSecret(TestBulwarkProcess up) {
    String basic =
        Base64.getEncoder()
            .encodeToString("demo-shop:not-the-secret".getBytes(StandardCharsets.UTF_8));
    return TestBulwarkProcess.send(
        up.http,
        HttpRequest.newBuilder(up.component("identity", "/token"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build());
  }

  private List<JsonNode> awaitRecords(Path data, int atLeast, String... filters) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("audit", "query", "--data", data.toString(), "--json"));
    args.addAll(List.of(filters));
    List<JsonNode> records = List.of();
    for (int attempt = 0; attempt < 40; attempt++) {
      TestBulwarkProcess.Result result = cli(args.toArray(String[]::new));
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      records =
          result.stdout().lines().filter(l -> !l.isBlank()).map(Json.MAPPER::readTree).toList();
      if (records.size() >= atLeast) {
        return records;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("only " + records.size() + " records matched " + List.of(filters));
  }

  // A proof needs a checkpoint that covers the record; one is signed every few seconds.
  private TestBulwarkProcess.Result awaitProof(Path data, long sequence) throws Exception {
    TestBulwarkProcess.Result result = null;
    for (int attempt = 0; attempt < 40; attempt++) {
      result = cli("audit", "prove", "--data", data.toString(), Long.toString(sequence));
      if (result.exitCode() == 0) {
        return result;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no proof: " + result.stdout() + result.stderr());
  }

  private static void awaitLogLine(Path data, String text) throws Exception {
    Path log = data.resolve("logs/bulwark.log");
    for (int attempt = 0; attempt < 40; attempt++) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the log never said " + text);
  }

  private TestBulwarkProcess.Result cli(String... args) throws Exception {
    return TestBulwarkProcess.run(work, Map.of(), args);
  }
}
