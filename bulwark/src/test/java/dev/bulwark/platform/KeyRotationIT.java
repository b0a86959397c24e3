package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the key ring that seals the platform's own secrets, end to end: rotate while running,
 * rewrap offline with progress, then disable and destroy the old version — and the platform still
 * starts, because nothing it keeps is left under the destroyed version.
 */
class KeyRotationIT {
  @TempDir Path work;

  @Test
  void rotateRewrapThenDestroyTheOldVersionAndStillStart() throws Exception {
    Path data = work.resolve("data");
    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, Map.of())) {
      TestBulwarkProcess.Result rotated =
          cli("keys", "rotate", "--data", data.toString(), PlatformSecrets.RING);
      assertThat(rotated.exitCode()).as(rotated.stderr()).isZero();
      assertThat(rotated.stdout()).contains("primary: version 2");
      TestBulwarkProcess.Result refused =
          cli("keys", "destroy", "--data", data.toString(), PlatformSecrets.RING, "1");
      assertThat(refused.exitCode()).as("an enabled version is not destroyed").isEqualTo(1);
      assertThat(refused.stderr()).contains("409");
      try (HttpClient operator = HttpClient.newBuilder().sslContext(up.operatorTls()).build()) {
        HttpResponse<String> decrypt =
            TestBulwarkProcess.send(
                operator,
                HttpRequest.newBuilder(
                        up.component("keys", "/v1/keys/" + PlatformSecrets.RING + "/decrypt"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ciphertext\":\"AAAA\"}"))
                    .build());
        assertThat(decrypt.statusCode())
            .as("the operator administers the platform's ring but cannot decrypt with it")
            .isEqualTo(403);
      }
      assertThat(up.stop()).isIn(0, 143);
    }

    TestBulwarkProcess.Result first = cli("keys", "rewrap", "--data", data.toString());
    assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
    // Two CA keys, the bootstrap credentials, the audit checkpoint key, and identity's signing
    // keys that still sign or will (next and current of ES256, RS256 and EdDSA).
    assertThat(first.stdout()).contains("at version 2: 10 values re-wrapped, 0 already current");
    TestBulwarkProcess.Result second = cli("keys", "rewrap", "--data", data.toString());
    assertThat(second.stdout()).contains("0 values re-wrapped, 10 already current");
    assertThat(Files.exists(data.resolve(RewrapPaths.CHECKPOINT)))
        .as("done: no checkpoint left")
        .isFalse();

    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, Map.of())) {
      assertThat(
              cli("keys", "disable", "--data", data.toString(), PlatformSecrets.RING, "1")
                  .exitCode())
          .isZero();
      TestBulwarkProcess.Result destroyed =
          cli("keys", "destroy", "--data", data.toString(), PlatformSecrets.RING, "1");
      assertThat(destroyed.exitCode()).as(destroyed.stderr()).isZero();
      assertThat(destroyed.stdout()).containsPattern("version 1 +destroyed");
      assertThat(up.stop()).isIn(0, 143);
    }

    try (TestBulwarkProcess up = TestBulwarkProcess.up(data, Map.of())) {
      String token = up.token("demo-shop", Optional.empty());
      assertThat(up.get(up.gateway("/payments"), Optional.of(token)).statusCode())
          .as("signing keys, CA keys and credentials all open under version 2")
          .isEqualTo(200);
    }
  }

  private TestBulwarkProcess.Result cli(String... args) throws Exception {
    return TestBulwarkProcess.run(work, Map.of(), args);
  }

  // Where the rewrap command keeps its checkpoint, relative to the data directory.
  private static final class RewrapPaths {
    static final String CHECKPOINT = "keys/rewrap.checkpoint";
  }
}
