package dev.bulwark.sdk.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.keys.KeysClientException.Code;
import java.net.ServerSocket;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class KeysClientTest {
  private static SSLContext context() throws NoSuchAlgorithmException {
    return SSLContext.getDefault();
  }

  @Test
  void refusesAPlaintextBaseUri() {
    assertThatThrownBy(() -> KeysClient.builder().baseUri(URI.create("http://keys:8447")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  @Test
  void refusesToBuildWithoutBaseUriOrSslContext() throws Exception {
    assertThatThrownBy(() -> KeysClient.builder().sslContext(context()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUri");
    assertThatThrownBy(() -> KeysClient.builder().baseUri(URI.create("https://keys")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sslContext");
  }

  @Test
  void refusesARingNameThatWouldChangeThePath() throws Exception {
    try (KeysClient client =
        KeysClient.builder()
            .baseUri(URI.create("https://127.0.0.1:1"))
            .sslContext(context())
            .build()) {
      assertThatThrownBy(() -> client.encrypt("../admin", new byte[1]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ring: '../admin'");
    }
  }

  @Test
  void unreachableServiceIsUnavailableNeverPlaintext() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (KeysClient client =
        KeysClient.builder()
            .baseUri(URI.create("https://127.0.0.1:" + port))
            .sslContext(context())
            .timeout(Duration.ofSeconds(2))
            .build()) {
      assertThatThrownBy(() -> client.encrypt("payments.cards", new byte[] {1, 2, 3}))
          .isInstanceOfSatisfying(
              KeysClientException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Code.UNAVAILABLE);
                assertThat(e.status()).isEmpty();
              });
    }
  }
}
