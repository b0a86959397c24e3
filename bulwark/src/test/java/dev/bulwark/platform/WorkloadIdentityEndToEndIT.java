package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import dev.bulwark.sdk.workload.X509Svid;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload identity end to end on a real {@code bulwark up} whose SVIDs live 12 seconds: every
 * internal listener demands a valid SVID of an allowed workload, refuses everything else at the
 * handshake (or with 403 per endpoint), and certificates rotate under traffic without a failed
 * request.
 */
class WorkloadIdentityEndToEndIT {
  private static final Duration SVID_TTL = Duration.ofSeconds(12);
  private static final String DOMAIN = "bulwark.local";

  @TempDir static Path work;
  static TestBulwarkProcess bulwark;
  static String shopToken;

  @BeforeAll
  static void start() throws Exception {
    bulwark =
        TestBulwarkProcess.up(
            work.resolve("data"),
            TestBulwarkProcess.env("BULWARK_CA_SVID_TTL", SVID_TTL.toSeconds() + "s"));
    shopToken = bulwark.token("demo-shop", Optional.empty());
  }

  @AfterAll
  static void stop() {
    if (bulwark != null) {
      bulwark.close();
    }
  }

  @Test
  void everyInternalListenerRefusesAClientWithoutACertificate() {
    for (String component : List.of("payments", "profiles", "gateway-admin")) {
      assertThat(handshake(component, bulwark.tls))
          .as(component)
          .isNotEmpty()
          .hasValueSatisfying(reason -> assertThat(reason).isNotBlank());
    }
    // The public edge and the token endpoint serve clients that have no workload certificate.
    assertThat(handshake("gateway", bulwark.tls)).isEmpty();
    assertThat(handshake("identity", bulwark.tls)).isEmpty();
  }

  @Test
  void theOperatorReadsHealthButMayNotCallAServiceApi() throws Exception {
    HttpClient operator = bulwark.operatorHttp();

    assertThat(status(operator, bulwark.component("payments", "/health"), Optional.empty()))
        .isEqualTo(200);
    HttpResponse<String> api =
        send(operator, bulwark.component("payments", "/payments"), Optional.of(shopToken));
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(api.body()).contains("forbidden_peer");
    assertThat(awaitLog("\"action\":\"peer.authorize\"", "spiffe://bulwark.local/bulwark/operator"))
        .contains("DENIED");
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedAtTheHandshake() throws Exception {
    CertificateAuthority impostor =
        CertificateAuthority.createRoot(
                TrustDomain.of(DOMAIN), Duration.ofDays(1), Clock.systemUTC())
            .issueIntermediate(Duration.ofDays(1));
    X509Svid fake =
        impostor.issueSvid(
            SpiffeId.parse("spiffe://" + DOMAIN + "/bulwark/gateway"),
            List.of(),
            List.of(),
            Duration.ofHours(1));

    assertThat(handshake("payments", presenting(fake.key()))).isNotEmpty();
    assertThat(
            awaitLog(
                "tls.peer_refused",
                "not issued by a CA of this trust domain",
                "spiffe://bulwark.local/bulwark/gateway"))
        .contains("\"component\":\"payments\"");
  }

  @Test
  void aWorkloadThatIsNotOnTheListIsRefusedThoughItsCertificateIsValid() throws Exception {
    try (WorkloadIdentity intruder = bulwark.attest("spiffe://" + DOMAIN + "/intruder")) {
      SSLContext asIntruder = presenting(intruder.svid().key());

      // The SVID is genuine: the CA, which admits any workload of the trust domain, accepts it.
      assertThat(handshake("ca", asIntruder)).isEmpty();
      assertThat(handshake("payments", asIntruder)).isNotEmpty();
      assertThat(handshake("gateway-admin", asIntruder)).isNotEmpty();
      assertThat(
              awaitLog("tls.peer_refused", "spiffe://" + DOMAIN + "/intruder is not allowed here"))
          .contains("DENIED");
    }
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    CertifiedKey snapshot = bulwark.operatorKey();
    assertThat(handshake("payments", presenting(snapshot))).isEmpty();

    sleepUntil(snapshot.notAfter().plusSeconds(1));

    assertThat(handshake("payments", presenting(snapshot))).isNotEmpty();
    assertThat(awaitLog("tls.peer_refused", "the peer's certificate has expired"))
        .contains("\"component\":\"payments\"");
    // The operator itself renewed long before: its current files work.
    assertThat(bulwark.operatorKey().leaf()).isNotEqualTo(snapshot.leaf());
    assertThat(handshake("payments", bulwark.operatorTls())).isEmpty();
  }

  @Test
  void tls12IsRefusedEverywhereAndTls13WithAValidSvidIsAccepted() throws Exception {
    // A copy: the live file is rewritten at every renewal. s_client sends only the leaf unless
    // given the intermediates apart.
    Path credentials = Files.copy(bulwark.operatorCredentials(), work.resolve("operator.pem"));
    StringBuilder intermediates = new StringBuilder();
    List<X509Certificate> chain = TestBulwarkProcess.certificates(credentials);
    chain
        .subList(1, chain.size())
        .forEach(c -> intermediates.append(CertificateAuthority.toPem(c)));
    Path chainFile = Files.writeString(work.resolve("operator-chain.pem"), intermediates);
    Path bundle = Path.of(bulwark.manifest.path("ca_certificate").asString());
    for (String component : List.of("gateway", "identity", "payments", "ca")) {
      OpenSsl tls12 =
          OpenSsl.connect(
              bulwark.component(component, ""),
              "-tls1_2",
              "-cert",
              credentials,
              "-cert_chain",
              chainFile);
      assertThat(tls12.established()).as(component + " over TLS 1.2").isFalse();
    }
    OpenSsl tls13 =
        OpenSsl.connect(
            bulwark.component("payments", ""),
            "-tls1_3",
            "-cert",
            credentials,
            "-cert_chain",
            chainFile,
            "-CAfile",
            bundle);
    assertThat(tls13.output()).contains("Verify return code: 0 (ok)");
    assertThat(tls13.established()).as(tls13.output()).isTrue();
    OpenSsl anonymous =
        OpenSsl.connect(bulwark.component("payments", ""), "-tls1_3", "-CAfile", bundle);
    assertThat(anonymous.established()).as(anonymous.output()).isFalse();
  }

  @Test
  void aRevokedCertificateIsRefusedOnceTheDenyListHasReachedTheService() throws Exception {
    // A second instance of the operator identity, so revoking it leaves the real one working.
    try (WorkloadIdentity second = bulwark.attest("spiffe://" + DOMAIN + "/bulwark/operator")) {
      CertifiedKey key = second.svid().key();
      BigInteger serial = key.leaf().getSerialNumber();
      assertThat(handshake("payments", presenting(key))).isEmpty();

      TestBulwarkProcess.Result revoked =
          TestBulwarkProcess.run(
              work,
              java.util.Map.of(),
              "ca",
              "revoke",
              "--data",
              bulwark.data.toString(),
              "--serial",
              serial.toString(16),
              "--reason",
              "test");
      assertThat(revoked.exitCode()).as(revoked.stderr()).isZero();
      assertThat(revoked.stdout()).contains("Revoked.");

      // The CA refuses it at once; the service once its identity has fetched the deny list.
      assertThat(handshake("ca", presenting(key))).isNotEmpty();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SVID_TTL.toSeconds());
      Optional<String> refusal = handshake("payments", presenting(key));
      while (refusal.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(250);
        refusal = handshake("payments", presenting(key));
      }
      assertThat(refusal).isNotEmpty();
      assertThat(awaitLog("tls.peer_refused", "\"component\":\"payments\"", "is revoked"))
          .contains(serial.toString(16));
      assertThat(handshake("payments", bulwark.operatorTls())).isEmpty();
    }
  }

  @Test
  void certificatesRotateUnderSteadyTrafficWithoutAFailedRequest() throws Exception {
    X509Certificate paymentsBefore = serverCertificate("payments");
    X509Certificate gatewayBefore = serverCertificate("gateway");
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    long end = System.nanoTime() + SVID_TTL.multipliedBy(2).plusSeconds(2).toNanos();
    int connections = 0;
    while (System.nanoTime() < end) {
      // A fresh client now and then forces new handshakes at the edge as well as reused ones.
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(bulwark.tls)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      connections++;
      for (int i = 0; i < 20 && System.nanoTime() < end; i++) {
        try {
          HttpResponse<String> response =
              send(client, bulwark.gateway("/payments"), Optional.of(shopToken));
          if (response.statusCode() == 200) {
            ok.incrementAndGet();
          } else {
            failures.add(response.statusCode() + " " + response.body());
          }
        } catch (UncheckedIOException e) {
          failures.add(e.getMessage());
        }
        Thread.sleep(20);
      }
      client.close();
    }

    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(100);
    assertThat(connections).isGreaterThan(5);
    X509Certificate paymentsAfter = serverCertificate("payments");
    X509Certificate gatewayAfter = serverCertificate("gateway");
    assertThat(paymentsAfter.getSerialNumber()).isNotEqualTo(paymentsBefore.getSerialNumber());
    assertThat(gatewayAfter.getSerialNumber()).isNotEqualTo(gatewayBefore.getSerialNumber());
    assertThat(paymentsAfter.getNotAfter()).isAfter(paymentsBefore.getNotAfter());
  }

  private static X509Certificate serverCertificate(String component) {
    return bulwark.presentedChain(component).get(0);
  }

  /**
   * Connects to {@code component} with {@code tls}, completes the handshake and sends a request;
   * empty if the server accepted the connection, else why it did not. In TLS 1.3 a server's refusal
   * of the client certificate arrives after the client's side of the handshake, on the first read.
   */
  private static Optional<String> handshake(String component, SSLContext tls) {
    URI url = bulwark.component(component, "");
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /health HTTP/1.1\r\nHost: " + url.getHost() + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      int first = in.read();
      return first < 0 ? Optional.of("closed without an answer") : Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static SSLContext presenting(CertifiedKey key) {
    return TlsContexts.client(bulwark.bundleRoots(), Optional.of(new ReloadableKeyManager(key)));
  }

  private static int status(HttpClient client, URI uri, Optional<String> bearer) {
    return send(client, uri, bearer).statusCode();
  }

  private static HttpResponse<String> send(HttpClient client, URI uri, Optional<String> bearer) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    bearer.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return TestBulwarkProcess.send(client, request.build());
  }

  /**
   * Waits for a log line that contains every one of {@code needles} (slashes as the JSON log
   * escapes them), and returns it.
   */
  private static String awaitLog(String... needles) throws Exception {
    List<String> escaped =
        java.util.Arrays.stream(needles).map(n -> n.replace("/", "\\/")).toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Optional<String> line =
          bulwark.logs().lines().filter(l -> escaped.stream().allMatch(l::contains)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no log line contains all of " + escaped);
      }
      Thread.sleep(100);
    }
  }

  private static void sleepUntil(java.time.Instant moment) throws InterruptedException {
    long millis = Duration.between(java.time.Instant.now(), moment).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  /** One {@code openssl s_client} attempt, a real non-Java TLS client. */
  record OpenSsl(String output, boolean established) {
    static OpenSsl connect(URI url, Object... options) throws Exception {
      List<String> command =
          new ArrayList<>(
              List.of(
                  "openssl",
                  "s_client",
                  "-connect",
                  url.getHost() + ":" + url.getPort(),
                  "-servername",
                  "localhost",
                  "-ign_eof"));
      for (Object option : options) {
        command.add(option.toString());
      }
      Path output = java.nio.file.Files.createTempFile(work, "s_client", ".txt");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(
            "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
      }
      // A refused handshake ends the process; an accepted connection may stay open after the
      // answer, so it is ended here once the answer had time to arrive.
      if (!process.waitFor(8, TimeUnit.SECONDS)) {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      String text = Files.readString(output);
      // An HTTP answer came back only if the server accepted the connection.
      return new OpenSsl(text, text.contains("HTTP/1.1 200"));
    }
  }

  static {
    // openssl must be on the PATH: the CI image and development machines have it.
    try {
      Process probe = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        throw new IllegalStateException("openssl is not usable");
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("openssl is required by this test", e);
    }
  }
}
