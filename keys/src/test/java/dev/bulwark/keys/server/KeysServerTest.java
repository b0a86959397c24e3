package dev.bulwark.keys.server;

import static dev.bulwark.keys.server.TestKeysService.BILLING;
import static dev.bulwark.keys.server.TestKeysService.OPS;
import static dev.bulwark.keys.server.TestKeysService.PAYMENTS;
import static dev.bulwark.keys.server.TestKeysService.REPORTS;
import static dev.bulwark.keys.server.TestKeysService.RING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.keys.KeyVersion;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.sdk.keys.Ciphertext;
import dev.bulwark.sdk.keys.DataKey;
import dev.bulwark.sdk.keys.KeysClient;
import dev.bulwark.sdk.keys.KeysClientException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The keys service end to end: the SDK's client against the server over mutual TLS 1.3. */
class KeysServerTest {
  private static final byte[] CARD = "4111 1111 1111 1111".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RECORD = "order-42".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension final TestKeysService service = new TestKeysService();

  @Test
  void allowedWorkloadEncryptsAndDecrypts() {
    KeysClient payments = service.client(PAYMENTS);

    Ciphertext sealed = payments.encrypt(RING, CARD, RECORD);

    assertThat(sealed.version()).isEqualTo(1);
    assertThat(sealed.bytes()).isNotEqualTo(CARD);
    assertThat(payments.decrypt(RING, sealed.bytes(), RECORD)).isEqualTo(CARD);
  }

  @Test
  void encryptsAndDecryptsWithoutAssociatedData() {
    KeysClient payments = service.client(PAYMENTS);

    Ciphertext sealed = payments.encrypt(RING, CARD);

    assertThat(payments.decrypt(RING, sealed.bytes())).isEqualTo(CARD);
  }

  @Test
  void workloadWithoutAGrantIsForbidden() {
    byte[] sealed = service.client(PAYMENTS).encrypt(RING, CARD, RECORD).bytes();
    KeysClient billing = service.client(BILLING);

    assertThatThrownBy(() -> billing.encrypt(RING, CARD, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysClientException.Code.FORBIDDEN);
              assertThat(e.status()).hasValue(403);
              assertThat(e.serverError()).contains("forbidden");
            });
    assertThatThrownBy(() -> billing.decrypt(RING, sealed, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.FORBIDDEN));
    assertThat(service.events("keys.decrypt"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
              assertThat(e.workload()).contains(BILLING.toString());
              assertThat(e.reason().orElseThrow()).contains("no rule lets " + BILLING);
            });
  }

  @Test
  void grantForOneOperationDoesNotAllowAnother() {
    KeysClient reports = service.client(REPORTS);

    DataKey key = reports.generateDataKey(RING);

    assertThatThrownBy(() -> reports.decryptDataKey(RING, key.wrapped()))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.FORBIDDEN));
  }

  @Test
  void requestWithoutClientCertificateIsUnauthenticated() throws Exception {
    HttpResponse<String> response =
        service.anonymous().post("/v1/keys/" + RING + "/encrypt", "{\"plaintext\":\"AAAA\"}");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("\"error\":\"client_certificate_required\"");
    assertThat(service.events("keys.encrypt"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
              assertThat(e.workload()).contains("-");
            });
  }

  @Test
  void startRefusesAListenerWithoutMutualTls() {
    try (Metrics metrics = Metrics.create()) {
      HttpListener.Builder serverAuthOnly =
          HttpListener.builder("keys")
              .port(0)
              .metrics(metrics)
              .tls(
                  service.workloads.serverContext(),
                  dev.bulwark.runtime.tls.TlsContexts.ClientAuth.NONE);

      assertThatThrownBy(
              () ->
                  KeysServer.start(service.rings, TestKeysService.POLICY, e -> {}, serverAuthOnly))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("client certificates");
    }
  }

  @Test
  void unknownRingIsNotFoundAndNotCreated() {
    KeysClient payments = service.client(PAYMENTS);

    assertThatThrownBy(() -> payments.encrypt("payments.unknown", CARD, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysClientException.Code.NOT_FOUND);
              assertThat(e.serverError()).contains("ring_not_found");
            });
    assertThat(service.rings.find("payments.unknown")).isEmpty();
  }

  @Test
  void forbiddenCallerCannotTellWhetherARingExists() {
    KeysClient billing = service.client(BILLING);

    assertThatThrownBy(() -> billing.encrypt("payments.unknown", CARD, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.FORBIDDEN));
  }

  @Test
  void wrongAssociatedDataFailsToDecryptAndEchoesNothing() throws Exception {
    byte[] sealed = service.client(PAYMENTS).encrypt(RING, CARD, RECORD).bytes();
    String ciphertext = Base64.getEncoder().encodeToString(sealed);
    String otherRecord =
        Base64.getEncoder().encodeToString("order-43".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> response =
        service
            .http(PAYMENTS)
            .post(
                "/v1/keys/" + RING + "/decrypt",
                "{\"ciphertext\":\""
                    + ciphertext
                    + "\",\"associated_data\":\""
                    + otherRecord
                    + "\"}");

    assertThat(response.statusCode()).isEqualTo(422);
    assertThat(response.body())
        .contains("\"error\":\"decrypt_failed\"")
        .doesNotContain(ciphertext)
        .doesNotContain(otherRecord);
    assertThatThrownBy(
            () ->
                service
                    .client(PAYMENTS)
                    .decrypt(RING, sealed, "order-43".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.DECRYPT_FAILED));
  }

  @Test
  void tamperedCiphertextIsRefused() {
    KeysClient payments = service.client(PAYMENTS);
    byte[] sealed = payments.encrypt(RING, CARD, RECORD).bytes();
    sealed[sealed.length - 1] ^= 1;

    assertThatThrownBy(() -> payments.decrypt(RING, sealed, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.DECRYPT_FAILED));
  }

  @Test
  void ciphertextOfAnotherRingDoesNotDecrypt() {
    service.rings.ring("payments.iban");
    KeysClient payments = service.client(PAYMENTS);
    byte[] sealed = payments.encrypt(RING, CARD, RECORD).bytes();

    assertThatThrownBy(() -> payments.decrypt("payments.iban", sealed, RECORD))
        .isInstanceOf(KeysClientException.class);
  }

  @Test
  void dataKeyUnwrapsToTheSameKey() {
    KeysClient payments = service.client(PAYMENTS);

    DataKey key = payments.generateDataKey(RING);

    assertThat(key.version()).isEqualTo(1);
    assertThat(key.toString()).doesNotContain(Base64.getEncoder().encodeToString(key.plaintext()));
    assertThat(payments.decryptDataKey(RING, key.wrapped())).isEqualTo(key.plaintext());
  }

  @Test
  void afterRotationOldCiphertextStillDecryptsAndRewrapMovesItToTheNewVersion() throws Exception {
    KeysClient payments = service.client(PAYMENTS);
    byte[] old = payments.encrypt(RING, CARD, RECORD).bytes();

    HttpResponse<String> rotated = service.http(OPS).post("/v1/keys/" + RING + "/rotate", "");

    assertThat(rotated.statusCode()).isEqualTo(200);
    assertThat(rotated.body())
        .contains("\"name\":\"" + RING + "\"")
        .contains("\"primary\":2")
        .contains("\"version\":2");
    assertThat(payments.decrypt(RING, old, RECORD)).isEqualTo(CARD);
    assertThat(payments.encrypt(RING, CARD, RECORD).version()).isEqualTo(2);
    Ciphertext moved = payments.rewrap(RING, old);
    assertThat(moved.version()).isEqualTo(2);
    assertThat(payments.decrypt(RING, moved.bytes(), RECORD)).isEqualTo(CARD);
    assertThat(service.events("keys.rewrap"))
        .singleElement()
        .satisfies(e -> assertThat(e.attribute("version")).contains("2"));
  }

  @Test
  void disabledVersionRefusesToDecryptUntilEnabled() throws Exception {
    KeysClient payments = service.client(PAYMENTS);
    byte[] old = payments.encrypt(RING, CARD, RECORD).bytes();
    TestKeysService.Http ops = service.http(OPS);
    ops.post("/v1/keys/" + RING + "/rotate", "");

    HttpResponse<String> disabled = ops.post("/v1/keys/" + RING + "/versions/1/disable", "");

    assertThat(disabled.statusCode()).isEqualTo(200);
    assertThat(disabled.body()).contains("\"state\":\"disabled\"");
    assertThatThrownBy(() -> payments.decrypt(RING, old, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysClientException.Code.VERSION_DISABLED);
              assertThat(e.status()).hasValue(409);
            });
    assertThat(ops.post("/v1/keys/" + RING + "/versions/1/enable", "").statusCode()).isEqualTo(200);
    assertThat(payments.decrypt(RING, old, RECORD)).isEqualTo(CARD);
  }

  @Test
  void destroyedVersionNeverDecryptsAgain() throws Exception {
    KeysClient payments = service.client(PAYMENTS);
    byte[] old = payments.encrypt(RING, CARD, RECORD).bytes();
    TestKeysService.Http ops = service.http(OPS);
    ops.post("/v1/keys/" + RING + "/rotate", "");
    ops.post("/v1/keys/" + RING + "/versions/1/disable", "");

    HttpResponse<String> destroyed = ops.post("/v1/keys/" + RING + "/versions/1/destroy", "");

    assertThat(destroyed.body()).contains("\"state\":\"destroyed\"");
    assertThatThrownBy(() -> payments.decrypt(RING, old, RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.VERSION_DESTROYED));
  }

  @Test
  void disablingThePrimaryIsAConflict() throws Exception {
    HttpResponse<String> response =
        service.http(OPS).post("/v1/keys/" + RING + "/versions/1/disable", "");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.body()).contains("\"error\":\"illegal_state\"");
    assertThat(service.rings.find(RING).orElseThrow().versions().getFirst().state())
        .isEqualTo(KeyVersion.State.ENABLED);
  }

  @Test
  void unknownVersionIsNotFound() throws Exception {
    HttpResponse<String> response =
        service.http(OPS).post("/v1/keys/" + RING + "/versions/9/disable", "");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("\"error\":\"version_not_found\"");
  }

  @Test
  void adminCreatesListsAndReadsRings() throws Exception {
    TestKeysService.Http ops = service.http(OPS);

    HttpResponse<String> created = ops.post("/v1/keys/tenant.acme", "");
    HttpResponse<String> again = ops.post("/v1/keys/tenant.acme", "");
    HttpResponse<String> listed = ops.get("/v1/keys");
    HttpResponse<String> read = ops.get("/v1/keys/tenant.acme");

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("\"error\":\"ring_exists\"");
    assertThat(listed.body()).isEqualTo("{\"rings\":[\"payments.cards\",\"tenant.acme\"]}");
    assertThat(read.body())
        .contains("\"name\":\"tenant.acme\"")
        .contains("\"primary\":1")
        .contains("\"state\":\"enabled\"");
    assertThat(service.events("keys.ring.create"))
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.SUCCESS, AuditEvent.Outcome.FAILURE);
  }

  @Test
  void dataWorkloadsCannotAdminister() throws Exception {
    TestKeysService.Http payments = service.http(PAYMENTS);

    assertThat(payments.post("/v1/keys/" + RING + "/rotate", "").statusCode()).isEqualTo(403);
    assertThat(payments.get("/v1/keys").statusCode()).isEqualTo(403);
    assertThat(payments.post("/v1/keys/payments.new", "").statusCode()).isEqualTo(403);
    assertThat(service.rings.find(RING).orElseThrow().versions()).hasSize(1);
    assertThat(service.rings.find("payments.new")).isEmpty();
  }

  @Test
  void malformedBodyIsRefusedNamingTheField() throws Exception {
    TestKeysService.Http payments = service.http(PAYMENTS);

    HttpResponse<String> missing = payments.post("/v1/keys/" + RING + "/encrypt", "{}");
    HttpResponse<String> notBase64 =
        payments.post("/v1/keys/" + RING + "/encrypt", "{\"plaintext\":\"%%%\"}");
    HttpResponse<String> notJson = payments.post("/v1/keys/" + RING + "/decrypt", "{");

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("invalid_request").contains("plaintext: missing");
    assertThat(notBase64.statusCode()).isEqualTo(400);
    assertThat(notBase64.body()).contains("plaintext: not base64");
    assertThat(notJson.statusCode()).isEqualTo(400);
  }

  @Test
  void malformedRingNameIsRefused() throws Exception {
    HttpResponse<String> response =
        service.http(PAYMENTS).post("/v1/keys/Payments..%20x/encrypt", "{\"plaintext\":\"AA==\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("ring: ");
  }

  @Test
  void plaintextOverTheCapIsTooLarge() {
    KeysClient payments = service.client(PAYMENTS);

    assertThatThrownBy(() -> payments.encrypt(RING, new byte[KeysApi.MAX_DATA_BYTES + 1], RECORD))
        .isInstanceOfSatisfying(
            KeysClientException.class,
            e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.TOO_LARGE));
  }

  @Test
  void everyRequestIsAuditedWithoutTheData() {
    KeysClient payments = service.client(PAYMENTS);
    byte[] sealed = payments.encrypt(RING, CARD, RECORD).bytes();
    payments.decrypt(RING, sealed, RECORD);
    DataKey key = payments.generateDataKey(RING);
    payments.decryptDataKey(RING, key.wrapped());
    assertThatThrownBy(() -> payments.decrypt(RING, sealed, CARD))
        .isInstanceOf(KeysClientException.class);

    assertThat(service.audit)
        .extracting(AuditEvent::action)
        .containsExactly(
            "keys.encrypt", "keys.decrypt", "keys.datakey", "keys.datakey.decrypt", "keys.decrypt");
    assertThat(service.audit)
        .allSatisfy(
            e -> {
              assertThat(e.component()).isEqualTo("keys");
              assertThat(e.workload()).contains(PAYMENTS.toString());
              assertThat(e.attribute("ring")).contains(RING);
              assertThat(e.attribute("version")).contains("1");
              String all = e.toString();
              for (byte[] secret :
                  new byte[][] {CARD, RECORD, sealed, key.plaintext(), key.wrapped()}) {
                assertThat(all)
                    .doesNotContain(Base64.getEncoder().encodeToString(secret))
                    .doesNotContain(new String(secret, StandardCharsets.ISO_8859_1));
              }
            });
    assertThat(service.audit.getLast().outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(service.audit.getLast().reason().orElseThrow()).startsWith("decrypt_failed");
  }

  @Test
  void unknownEndpointIsNotFound() throws Exception {
    HttpResponse<String> response =
        service.http(PAYMENTS).post("/v1/keys/" + RING + "/explode", "");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("\"error\":\"not_found\"");
  }
}
