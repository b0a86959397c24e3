package dev.bulwark.gateway.upstream.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 20 MB each way through a real HTTPS server (Helidon), compared by SHA-256. */
class StreamingTest {
  private static final int SIZE = 20 * 1024 * 1024;
  private static final byte[] CONTENT = new byte[SIZE];

  static {
    new Random(42).nextBytes(CONTENT);
  }

  private final TestTls tls = new TestTls();
  private final Metrics metrics = Metrics.create();
  private HttpListener upstream;
  private UpstreamConnections client;

  @BeforeEach
  void start() {
    upstream =
        HttpListener.builder("stream-upstream")
            .tls(tls.server(), TlsContexts.ClientAuth.NONE)
            .metrics(metrics)
            .maxPayloadSize(64L * 1024 * 1024)
            .routes(
                r ->
                    r.post(
                            "/digest",
                            (req, res) -> {
                              try (InputStream in = req.content().inputStream()) {
                                res.send(sha256(in));
                              }
                            })
                        .get(
                            "/source",
                            (req, res) -> {
                              try (OutputStream out = res.outputStream()) {
                                for (int i = 0; i < SIZE; i += 100_000) {
                                  out.write(CONTENT, i, Math.min(100_000, SIZE - i));
                                }
                              }
                            }))
            .start();
    client = tls.connections(upstream.url(), 8);
  }

  @AfterEach
  void stop() {
    client.close();
    upstream.close();
    metrics.close();
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

  private String post(RequestBody body) throws Exception {
    try (UpstreamExchange exchange =
        client.send(new UpstreamRequest("POST", "/digest", List.of(), body))) {
      assertThat(exchange.status()).isEqualTo(200);
      return new String(exchange.body().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void streamsTwentyMegabytesUpChunkedWithIdenticalDigest() throws Exception {
    assertThat(post(RequestBody.chunked(new ByteArrayInputStream(CONTENT)))).isEqualTo(expected());
  }

  @Test
  void streamsTwentyMegabytesUpWithContentLengthWithIdenticalDigest() throws Exception {
    assertThat(post(RequestBody.of(new ByteArrayInputStream(CONTENT), SIZE))).isEqualTo(expected());
    assertThat(post(RequestBody.of(CONTENT))).isEqualTo(expected());
  }

  @Test
  void streamsTwentyMegabytesDownWithIdenticalDigestAndReusesTheConnection() throws Exception {
    for (int i = 0; i < 2; i++) {
      try (UpstreamExchange exchange =
          client.send(UpstreamRequest.of("GET", "/source", List.of()))) {
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(sha256(exchange.body())).isEqualTo(expected());
      }
    }
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }
}
