package dev.bulwark.keys.server;

import static dev.bulwark.keys.server.TestKeysService.PAYMENTS;
import static dev.bulwark.keys.server.TestKeysService.RING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A keys service whose listener requires client certificates at the handshake. */
class MutualTlsRequiredTest {
  @RegisterExtension final TestKeysService service = new TestKeysService(ClientAuth.REQUIRED);

  @Test
  void clientWithoutCertificateIsRefusedAtTheHandshake() {
    assertThatThrownBy(
            () ->
                service
                    .anonymous()
                    .post("/v1/keys/" + RING + "/encrypt", "{\"plaintext\":\"AAAA\"}"))
        .isInstanceOf(IOException.class);
    assertThat(service.audit).isEmpty();
  }

  @Test
  void workloadWithCertificateIsServed() {
    byte[] value = "x".getBytes(StandardCharsets.UTF_8);

    assertThat(service.client(PAYMENTS).encrypt(RING, value).version()).isEqualTo(1);
  }
}
