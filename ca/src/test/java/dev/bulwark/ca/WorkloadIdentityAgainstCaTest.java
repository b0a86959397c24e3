package dev.bulwark.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.Attestation;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import dev.bulwark.sdk.workload.WorkloadIdentityException;
import dev.bulwark.sdk.workload.WorkloadTls;
import dev.bulwark.sdk.workload.X509Svid;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's {@link WorkloadIdentity} against the real CA server over HTTPS: attestation with a join
 * token, renewal over mTLS, revocation, and what happens when the CA stays down for longer than an
 * SVID lives.
 */
class WorkloadIdentityAgainstCaTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  private static final SpiffeId PAYMENTS = SpiffeId.of(DOMAIN, "/payments");
  private static final SpiffeId GATEWAY = SpiffeId.of(DOMAIN, "/gateway");

  @TempDir Path directory;

  private final CertificateAuthority root =
      CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(3650), Clock.systemUTC());
  private final CertificateAuthority intermediate = root.issueIntermediate(Duration.ofDays(365));
  private final TrustBundle bundle =
      TrustBundle.of(DOMAIN, List.of(root.certificate()), 1, Duration.ofSeconds(1));
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final List<String> alerts = new CopyOnWriteArrayList<>();
  private final Metrics metrics = Metrics.create();
  private CaServer server;

  @BeforeEach
  void start() {
    server =
        CaServer.start(
            CaSettings.defaults(DOMAIN).withSvidTtl(Duration.ofSeconds(6)),
            intermediate,
            bundle,
            DatabaseSettings.embedded(directory, "ca"),
            audit::add,
            HttpListener.builder("ca").port(0).metrics(metrics),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private WorkloadIdentity attest(SpiffeId id) throws WorkloadIdentityException {
    JoinToken token = server.createJoinToken(id, List.of(), List.of(), Duration.ofMinutes(1));
    return WorkloadIdentity.builder()
        .caUrl(server.url())
        .caId(server.spiffeId())
        .bundle(bundle)
        .attestation(Attestation.joinToken(token.reveal()))
        .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .events(
            new WorkloadIdentity.Events() {
              @Override
              public void onExpiring(X509Svid svid, Duration remaining) {
                alerts.add("expiring " + Instant.now().isBefore(svid.notAfter()));
              }

              @Override
              public void onExpired(X509Svid svid) {
                alerts.add("expired");
              }
            })
        .start(Duration.ofSeconds(10));
  }

  @Test
  void aWorkloadAttestsRenewsOverMutualTlsAndServesItsPeers() throws Exception {
    try (WorkloadIdentity payments = attest(PAYMENTS);
        WorkloadIdentity gateway = attest(GATEWAY)) {
      X509Svid first = payments.svid();
      assertThat(first.id()).isEqualTo(PAYMENTS);
      assertThat(first.lifetime()).isLessThanOrEqualTo(Duration.ofSeconds(37));

      X509Svid renewed = payments.renewNow();

      assertThat(renewed.id()).isEqualTo(PAYMENTS);
      assertThat(renewed.serialNumber()).isNotEqualTo(first.serialNumber());
      assertThat(renewed.key().privateKey()).isNotEqualTo(first.key().privateKey());
      assertThat(audit)
          .anySatisfy(
              e -> {
                assertThat(e.action()).isEqualTo("svid.renew");
                assertThat(e.workload()).contains(PAYMENTS.toString());
              });
      try (EchoServer echo = new EchoServer(payments.serverContext(PeerAuthorizer.only(GATEWAY)))) {
        assertThat(echo.call(gateway.clientContext(PeerAuthorizer.only(PAYMENTS)))).isTrue();
      }
    }
  }

  @Test
  void aRevokedWorkloadCanNeitherRenewNorReachItsPeers() throws Exception {
    try (WorkloadIdentity payments = attest(PAYMENTS);
        WorkloadIdentity gateway = attest(GATEWAY)) {
      server.revoke(GATEWAY, "compromised");

      assertThatThrownBy(gateway::renewNow).isInstanceOf(WorkloadIdentityException.class);
      // The payments workload learns of it at its next deny-list refresh (1 s here).
      try (EchoServer echo = new EchoServer(payments.serverContext(PeerAuthorizer.only(GATEWAY)))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean accepted = true;
        while (accepted && System.nanoTime() < deadline) {
          Thread.sleep(200);
          accepted = echo.call(gateway.clientContext(PeerAuthorizer.only(PAYMENTS)));
        }
        assertThat(accepted).isFalse();
      }
      assertThat(payments.denyList().identities()).contains(GATEWAY);
    }
  }

  @Test
  void aCaDownForLongerThanTheLifetimeIsALoudFailureNeverAnInsecureFallback() throws Exception {
    try (WorkloadIdentity payments = attest(PAYMENTS)) {
      X509Svid last = payments.svid();
      // A client that will outlive the outage: an SVID signed in-process for an hour.
      X509Svid client =
          intermediate.issueSvid(GATEWAY, List.of(), List.<InetAddress>of(), Duration.ofHours(1));
      SSLContext clientTls =
          WorkloadTls.clientContext(
              new ReloadableKeyManager(client.key()),
              new SpiffeTrustManager(
                  () -> bundle,
                  () -> dev.bulwark.sdk.workload.DenyList.EMPTY,
                  PeerAuthorizer.only(PAYMENTS),
                  Clock.systemUTC(),
                  refusal -> {}));

      server.close();
      Thread.sleep(
          Math.max(0, Duration.between(Instant.now(), last.notAfter()).toMillis()) + 1_500);

      assertThat(payments.status()).isEqualTo(WorkloadIdentity.Status.EXPIRED);
      // The alert came while the SVID was still valid, then the expiry itself.
      assertThat(alerts).containsSubsequence("expiring true", "expired");
      // The workload still presents only its expired SVID: its peers refuse it.
      assertThat(payments.svid().serialNumber()).isEqualTo(last.serialNumber());
      try (EchoServer echo = new EchoServer(payments.serverContext(PeerAuthorizer.only(GATEWAY)))) {
        assertThat(echo.call(clientTls)).isFalse();
      }
    }
  }

  /** A one-line echo server on loopback; {@link #call} says whether a round trip succeeded. */
  private static final class EchoServer implements AutoCloseable {
    private final SSLServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    EchoServer(SSLContext context) throws IOException {
      socket =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
      threads.execute(
          () -> {
            while (!socket.isClosed()) {
              try {
                SSLSocket connection = (SSLSocket) socket.accept();
                threads.execute(
                    () -> {
                      try (connection) {
                        connection.setSoTimeout(5_000);
                        int b = connection.getInputStream().read();
                        connection.getOutputStream().write(b);
                        connection.getOutputStream().flush();
                      } catch (IOException e) {
                        // Refused: the client sees it.
                      }
                    });
              } catch (IOException e) {
                return;
              }
            }
          });
    }

    boolean call(SSLContext client) {
      try (SSLSocket connection =
          (SSLSocket)
              client
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), socket.getLocalPort())) {
        connection.setSoTimeout(5_000);
        OutputStream out = connection.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = connection.getInputStream();
        return in.read() == 42;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }
}
