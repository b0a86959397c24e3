package dev.bulwark.sdk.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** What FieldEncryptor binds a value to, and what it refuses before calling the service. */
class FieldEncryptorBindingTest {
  @Test
  void associatedDataTellsApartTriplesThatConcatenateAlike() {
    assertThat(FieldEncryptor.associatedData("r", "ab", "c"))
        .isNotEqualTo(FieldEncryptor.associatedData("r", "a", "bc"));
    assertThat(FieldEncryptor.associatedData("ra", "b", "c"))
        .isNotEqualTo(FieldEncryptor.associatedData("r", "ab", "c"));
    assertThat(FieldEncryptor.associatedData("r", "a", "b"))
        .isEqualTo(FieldEncryptor.associatedData("r", "a", "b"));
  }

  @Test
  void refusesForeignBytesWithoutCallingTheService() throws Exception {
    try (KeysClient unreachable =
        KeysClient.builder()
            .baseUri(URI.create("https://127.0.0.1:1"))
            .sslContext(SSLContext.getDefault())
            .build()) {
      FieldEncryptor fields = FieldEncryptor.builder(unreachable, "payments.cards").build();

      assertThatThrownBy(() -> fields.decrypt("r", "f", new byte[] {9, 9, 9, 9}))
          .isInstanceOfSatisfying(
              KeysClientException.class,
              e -> assertThat(e.code()).isEqualTo(KeysClientException.Code.DECRYPT_FAILED));
      assertThatThrownBy(() -> fields.decrypt("r", "f", new byte[] {1, 0, 0}))
          .isInstanceOf(KeysClientException.class);
    }
  }

  @Test
  void refusesLimitsOutsideWhatAesGcmAllows() throws Exception {
    try (KeysClient client =
        KeysClient.builder()
            .baseUri(URI.create("https://127.0.0.1:1"))
            .sslContext(SSLContext.getDefault())
            .build()) {
      FieldEncryptor.Builder builder = FieldEncryptor.builder(client, "payments.cards");

      assertThatThrownBy(() -> builder.dataKeyUses((1L << 32) + 1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> builder.dataKeyUses(0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> builder.dataKeyLifetime(Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void dataKeyNeverShowsItsPlaintext() {
    DataKey key = new DataKey(new byte[32], new byte[] {1}, 3);

    assertThat(key.toString()).isEqualTo("DataKey{version=3, plaintext=***}");
  }
}
