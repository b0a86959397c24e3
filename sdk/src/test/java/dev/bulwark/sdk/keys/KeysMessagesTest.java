package dev.bulwark.sdk.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.keys.KeysClientException.Code;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeysMessagesTest {
  private static final String CALL = "POST https://keys/v1/keys/r/decrypt";

  private static KeysClientException failure(int status, String error) {
    return KeysMessages.failure(
        status, "{\"error\":\"" + error + "\",\"error_description\":\"why\"}", CALL);
  }

  @Test
  void mapsTheServicesErrorCodesToStableClientCodes() {
    assertThat(failure(403, "forbidden").code()).isEqualTo(Code.FORBIDDEN);
    assertThat(failure(403, "forbidden_peer").code()).isEqualTo(Code.FORBIDDEN);
    assertThat(failure(401, "client_certificate_required").code()).isEqualTo(Code.UNAUTHENTICATED);
    assertThat(failure(404, "ring_not_found").code()).isEqualTo(Code.NOT_FOUND);
    assertThat(failure(404, "version_not_found").code()).isEqualTo(Code.NOT_FOUND);
    assertThat(failure(409, "version_disabled").code()).isEqualTo(Code.VERSION_DISABLED);
    assertThat(failure(409, "version_destroyed").code()).isEqualTo(Code.VERSION_DESTROYED);
    assertThat(failure(409, "illegal_state").code()).isEqualTo(Code.CONFLICT);
    assertThat(failure(422, "decrypt_failed").code()).isEqualTo(Code.DECRYPT_FAILED);
    assertThat(failure(413, "payload_too_large").code()).isEqualTo(Code.TOO_LARGE);
    assertThat(failure(400, "invalid_request").code()).isEqualTo(Code.INVALID_REQUEST);
    assertThat(failure(503, "store_unavailable").code()).isEqualTo(Code.UNAVAILABLE);
  }

  @Test
  void fallsBackToTheStatusWhenTheBodyIsNotTheApisError() {
    KeysClientException e = KeysMessages.failure(502, "<html>bad gateway</html>", CALL);

    assertThat(e.code()).isEqualTo(Code.UNAVAILABLE);
    assertThat(e.status()).hasValue(502);
    assertThat(e.serverError()).isEmpty();
    assertThat(KeysMessages.failure(403, "", CALL).code()).isEqualTo(Code.FORBIDDEN);
    assertThat(KeysMessages.failure(302, "", CALL).code()).isEqualTo(Code.INVALID_RESPONSE);
  }

  @Test
  void keepsTheServicesCodeAndDescriptionOnOneLine() {
    KeysClientException e =
        KeysMessages.failure(
            422, "{\"error\":\"decrypt_failed\",\"error_description\":\"a\\nb\"}", CALL);

    assertThat(e.serverError()).contains("decrypt_failed");
    assertThat(e.getMessage()).isEqualTo(CALL + " answered 422 decrypt_failed: a b");
  }

  @Test
  void refusesAnAnswerWithoutItsMembers() {
    Map<String, Object> answer = KeysMessages.parse("{\"version\":0}", CALL);

    assertThatThrownBy(() -> KeysMessages.bytes(answer, "ciphertext", CALL))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE));
    assertThatThrownBy(() -> KeysMessages.version(answer, "version", CALL))
        .isInstanceOfSatisfying(
            KeysClientException.class, e -> assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE));
    assertThatThrownBy(() -> KeysMessages.parse("not json", CALL))
        .isInstanceOf(KeysClientException.class);
  }

  @Test
  void leavesOutAbsentRequestMembers() {
    assertThat(KeysMessages.request("plaintext", "AA==", "associated_data", null))
        .isEqualTo("{\"plaintext\":\"AA==\"}");
  }
}
