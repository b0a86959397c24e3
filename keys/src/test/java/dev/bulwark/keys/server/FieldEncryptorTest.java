package dev.bulwark.keys.server;

import static dev.bulwark.keys.server.TestKeysService.BILLING;
import static dev.bulwark.keys.server.TestKeysService.PAYMENTS;
import static dev.bulwark.keys.server.TestKeysService.REPORTS;
import static dev.bulwark.keys.server.TestKeysService.RING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.keys.FieldEncryptor;
import dev.bulwark.sdk.keys.KeysClientException;
import dev.bulwark.sdk.keys.KeysClientException.Code;
import dev.bulwark.sdk.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SDK's field encryption against the keys service: values bound to their ring, record and
 * field, data keys cached within their limits, and refusals from the service passed on.
 */
class FieldEncryptorTest {
  private static final byte[] IBAN = "DE89 3704 0044 0532 0130 00".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension final TestKeysService service = new TestKeysService();

  private FieldEncryptor fields(dev.bulwark.sdk.workload.SpiffeId workload) {
    return FieldEncryptor.builder(service.client(workload), RING).build();
  }

  @Test
  void encryptsAndDecryptsAField() {
    FieldEncryptor fields = fields(PAYMENTS);

    byte[] sealed = fields.encrypt("customer-1", "iban", IBAN);

    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("DE89");
    assertThat(fields.decrypt("customer-1", "iban", sealed)).isEqualTo(IBAN);
  }

  @Test
  void anotherInstanceDecryptsByUnwrappingTheDataKeyThroughTheService() {
    byte[] sealed = fields(PAYMENTS).encrypt("customer-1", "iban", IBAN);

    byte[] opened = fields(PAYMENTS).decrypt("customer-1", "iban", sealed);

    assertThat(opened).isEqualTo(IBAN);
    assertThat(service.events("keys.datakey.decrypt")).hasSize(1);
  }

  @Test
  void rejectsCiphertextCopiedToAnotherRecord() {
    FieldEncryptor fields = fields(PAYMENTS);
    byte[] sealed = fields.encrypt("customer-1", "iban", IBAN);

    assertThatThrownBy(() -> fields.decrypt("customer-2", "iban", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.DECRYPT_FAILED));
    assertThatThrownBy(() -> fields(PAYMENTS).decrypt("customer-2", "iban", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.DECRYPT_FAILED));
  }

  @Test
  void rejectsCiphertextCopiedToAnotherField() {
    FieldEncryptor fields = fields(PAYMENTS);
    byte[] sealed = fields.encrypt("customer-1", "iban", IBAN);

    assertThatThrownBy(() -> fields.decrypt("customer-1", "notes", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.DECRYPT_FAILED));
  }

  @Test
  void rejectsBindingsThatOnlyConcatenateAlike() {
    FieldEncryptor fields = fields(PAYMENTS);
    byte[] sealed = fields.encrypt("customer-1", "iban", IBAN);

    assertThatThrownBy(() -> fields.decrypt("customer-1i", "ban", sealed))
        .isInstanceOf(KeysClientException.class);
  }

  @Test
  void rejectsCiphertextOfAnotherRing() {
    service.rings.ring("payments.iban");
    byte[] sealed = fields(PAYMENTS).encrypt("customer-1", "iban", IBAN);
    FieldEncryptor otherRing =
        FieldEncryptor.builder(service.client(PAYMENTS), "payments.iban").build();

    assertThatThrownBy(() -> otherRing.decrypt("customer-1", "iban", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.DECRYPT_FAILED));
  }

  @Test
  void rejectsATamperedByteAnywhere() {
    FieldEncryptor fields = fields(PAYMENTS);
    byte[] sealed = fields.encrypt("customer-1", "iban", IBAN);

    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      int position = i;
      assertThatThrownBy(() -> fields(PAYMENTS).decrypt("customer-1", "iban", tampered))
          .as("byte %d flipped", position)
          .isInstanceOfSatisfying(
              KeysClientException.class,
              e -> assertThat(e.code()).isIn(Code.DECRYPT_FAILED, Code.NOT_FOUND));
    }
  }

  @Test
  void rejectsTruncatedCiphertextWithoutCallingTheService() {
    FieldEncryptor fields = fields(PAYMENTS);

    assertThatThrownBy(() -> fields.decrypt("customer-1", "iban", new byte[] {1, 0}))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.DECRYPT_FAILED));
    assertThat(service.audit).isEmpty();
  }

  @Test
  void callerWithoutPermissionIsForbidden() {
    byte[] sealed = fields(PAYMENTS).encrypt("customer-1", "iban", IBAN);

    assertThatThrownBy(() -> fields(BILLING).encrypt("customer-1", "iban", IBAN))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.FORBIDDEN));
    assertThatThrownBy(() -> fields(BILLING).decrypt("customer-1", "iban", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.FORBIDDEN));
  }

  @Test
  void workloadThatMayOnlyEncryptCannotReadAnotherWorkloadsValues() {
    byte[] sealed = fields(PAYMENTS).encrypt("customer-1", "iban", IBAN);
    FieldEncryptor reports = fields(REPORTS);
    reports.encrypt("customer-9", "iban", IBAN);

    assertThatThrownBy(() -> reports.decrypt("customer-1", "iban", sealed))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.FORBIDDEN));
  }

  @Test
  void reusesOneDataKeyUpToItsUses() {
    FieldEncryptor fields =
        FieldEncryptor.builder(service.client(PAYMENTS), RING).dataKeyUses(3).build();

    for (int i = 0; i < 7; i++) {
      fields.encrypt("customer-" + i, "iban", IBAN);
    }

    assertThat(service.events("keys.datakey")).hasSize(3);
  }

  @Test
  void fetchesANewDataKeyWhenTheLifetimeHasPassed() {
    MutableClock clock = new MutableClock(java.time.Instant.parse("2026-11-23T10:00:00Z"));
    FieldEncryptor fields =
        FieldEncryptor.builder(service.client(PAYMENTS), RING)
            .dataKeyLifetime(Duration.ofMinutes(5))
            .clock(clock)
            .build();
    byte[] first = fields.encrypt("customer-1", "iban", IBAN);

    clock.advance(Duration.ofMinutes(4));
    fields.encrypt("customer-2", "iban", IBAN);
    clock.advance(Duration.ofMinutes(2));
    fields.encrypt("customer-3", "iban", IBAN);

    assertThat(service.events("keys.datakey")).hasSize(2);
    assertThat(fields.decrypt("customer-1", "iban", first)).isEqualTo(IBAN);
    assertThat(service.events("keys.datakey.decrypt")).hasSize(1);
  }

  @Test
  void unreachableServiceIsAnExceptionNeverPlaintext() {
    FieldEncryptor fields = fields(PAYMENTS);
    service.stop();

    assertThatThrownBy(() -> fields.encrypt("customer-1", "iban", IBAN))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.UNAVAILABLE));
  }
}
