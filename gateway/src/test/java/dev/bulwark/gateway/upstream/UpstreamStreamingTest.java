package dev.bulwark.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.testing.MutableClock;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 20 MB each way through the front listener, the upstream hop and a real HTTPS upstream (Helidon),
 * compared by SHA-256: bodies are streamed in pieces, with back-pressure, and arrive intact.
 */
class UpstreamStreamingTest {
  private static final int SIZE = 20 * 1024 * 1024;
  private static final byte[] CONTENT = new byte[SIZE];

  static {
    new Random(42).nextBytes(CONTENT);
  }

  private final TestUpstreams fixture = new TestUpstreams(64L * 1024 * 1024);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final URI upstream =
      fixture.upstream(
          "stream",
          (req, res) -> {
            if (req.path().rawPath().equals("/digest")) {
              try (InputStream in = req.content().inputStream()) {
                res.send(sha256(in));
              }
              return;
            }
            try (OutputStream out = res.outputStream()) {
              for (int i = 0; i < SIZE; i += 100_000) {
                out.write(CONTENT, i, Math.min(100_000, SIZE - i));
              }
            }
          });

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
      digesting.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String expected() throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT));
  }

  private String post(HttpRequest.BodyPublisher body) throws Exception {
    HttpResponse<String> response =
        fixture.http.send(
            HttpRequest.newBuilder(fixture.front.url().resolve("/digest")).POST(body).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  @Test
  void streamsTwentyMegabytesUpWithIdenticalDigest() throws Exception {
    fixture.serve(TestUpstreams.policy(upstream), clock);

    // With a length (HTTP/2 carries none here, so the hop sends it chunked) and without.
    assertThat(post(HttpRequest.BodyPublishers.ofByteArray(CONTENT))).isEqualTo(expected());
    assertThat(
            post(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(CONTENT))))
        .isEqualTo(expected());
  }

  @Test
  void streamsTwentyMegabytesUpThatTheFrontReadFirst() throws Exception {
    fixture.buffering.set(true);
    fixture.serve(TestUpstreams.policy(upstream), clock);

    assertThat(post(HttpRequest.BodyPublishers.ofByteArray(CONTENT))).isEqualTo(expected());
  }

  @Test
  void streamsTwentyMegabytesDownWithIdenticalDigestAndReusesTheConnection() throws Exception {
    UpstreamCluster cluster = fixture.serve(TestUpstreams.policy(upstream), clock);

    for (int i = 0; i < 2; i++) {
      HttpResponse<InputStream> response =
          fixture.http.send(
              HttpRequest.newBuilder(fixture.front.url().resolve("/source")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      try (InputStream body = response.body()) {
        assertThat(sha256(body)).isEqualTo(expected());
      }
    }
    assertThat(cluster.connectionsOpened(upstream)).isEqualTo(1);
  }
}
