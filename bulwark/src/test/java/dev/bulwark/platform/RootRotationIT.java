package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root rotation end to end: {@code bulwark ca rotate-root} on a stopped installation, then {@code
 * bulwark up} carries on through the overlap — new root trusted first, SVIDs signed under it after,
 * old root retired once its last SVID has expired — while traffic flows without a failure.
 */
class RootRotationIT {
  private static final Duration SVID_TTL = Duration.ofSeconds(8);
  private static final Duration OVERLAP = Duration.ofSeconds(6);

  @TempDir Path work;

  @Test
  void aRootRotationOverlapsWithoutAFailedRequest() throws Exception {
    Path data = work.resolve("data");
    Map<String, String> env = TestBulwarkProcess.env("BULWARK_CA_SVID_TTL", "8s");
    X509Certificate oldRoot;
    try (TestBulwarkProcess first = TestBulwarkProcess.up(data, env)) {
      oldRoot = first.caCertificate();
    }

    TestBulwarkProcess.Result rotated =
        TestBulwarkProcess.run(
            work,
            env,
            "ca",
            "rotate-root",
            "--data",
            data.toString(),
            "--overlap",
            OVERLAP.toSeconds() + "s");
    assertThat(rotated.exitCode()).as(rotated.stderr()).isZero();
    assertThat(rotated.stdout()).contains("(pending)");
    assertThat(rotated.stdout().lines().filter(l -> l.contains("in bundle"))).hasSize(2);

    try (TestBulwarkProcess bulwark = TestBulwarkProcess.up(data, env)) {
      assertThat(bulwark.bundleRoots()).hasSize(2).contains(oldRoot);
      X509Certificate newRoot =
          bulwark.bundleRoots().stream().filter(r -> !r.equals(oldRoot)).findFirst().orElseThrow();
      assertThat(issuingRoot(bulwark, "payments", oldRoot, newRoot)).isEqualTo(oldRoot);
      String token = bulwark.token("demo-shop", Optional.empty());
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(bulwark.tls)
              .connectTimeout(Duration.ofSeconds(5))
              .build();

      List<String> failures = new ArrayList<>();
      int ok = 0;
      boolean sawNewRootServing = false;
      long end =
          System.nanoTime() + OVERLAP.plus(SVID_TTL.multipliedBy(2)).plusSeconds(4).toNanos();
      while (System.nanoTime() < end) {
        try {
          HttpResponse<String> response =
              client.send(
                  HttpRequest.newBuilder(bulwark.gateway("/payments"))
                      .timeout(Duration.ofSeconds(10))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            ok++;
          } else {
            failures.add(response.statusCode() + " " + response.body());
          }
        } catch (IOException e) {
          failures.add(e.toString());
        }
        if (!sawNewRootServing && ok % 25 == 0) {
          sawNewRootServing = issuingRoot(bulwark, "payments", oldRoot, newRoot).equals(newRoot);
        }
        Thread.sleep(20);
      }

      assertThat(failures).isEmpty();
      assertThat(ok).isGreaterThan(100);
      assertThat(sawNewRootServing).as("an SVID under the new root was served").isTrue();
      // The old root has left the bundle file, and the installation tells so.
      assertThat(TestBulwarkProcess.certificates(data.resolve("ca/ca.pem")))
          .containsExactly(newRoot);
      TestBulwarkProcess.Result shown =
          TestBulwarkProcess.run(work, env, "ca", "show", "--data", data.toString());
      assertThat(shown.stdout()).contains("retired");
      assertThat(issuingRoot(bulwark, "gateway", oldRoot, newRoot)).isEqualTo(newRoot);
    }
  }

  /** The root that the certificate {@code component} presents now chains to. */
  private static X509Certificate issuingRoot(
      TestBulwarkProcess bulwark,
      String component,
      X509Certificate oldRoot,
      X509Certificate newRoot) {
    X509Certificate intermediate = bulwark.presentedChain(component).get(1);
    try {
      intermediate.verify(newRoot.getPublicKey());
      return newRoot;
    } catch (java.security.GeneralSecurityException e) {
      return oldRoot;
    }
  }
}
