package dev.bulwark.bench;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadTls;
import dev.bulwark.sdk.workload.X509Svid;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mutual TLS 1.3 handshakes per second between two workloads, both sides in this thread over
 * in-memory buffers (no sockets, so the figure is the handshake's CPU cost): a full handshake, in
 * which each side signs with its P-256 key and verifies the other's SVID chain, SPIFFE ID and deny
 * list; and a resumed one (PSK with ECDHE, RFC 8446 §2.2), which skips certificates, as the SDK's
 * contexts allow only within an opt-in resumption window.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar MutualTlsHandshakeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MutualTlsHandshakeBenchmark {
  private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {1});

  private SSLContext fullServer;
  private SSLContext fullClient;
  private SSLContext resumingServer;
  private SSLContext resumingClient;
  private final AtomicInteger certificateChecks = new AtomicInteger();

  @Setup
  public void setUp() throws SSLException {
    TrustDomain domain = TrustDomain.of("bench.local");
    CertificateAuthority root =
        CertificateAuthority.createRoot(domain, Duration.ofDays(365), Clock.systemUTC());
    CertificateAuthority intermediate = root.issueIntermediate(Duration.ofDays(30));
    SpiffeId serverId = SpiffeId.of(domain, "/payments");
    SpiffeId clientId = SpiffeId.of(domain, "/gateway");
    X509Svid server = intermediate.issueSvid(serverId, List.of(), List.of(), Duration.ofHours(1));
    X509Svid client = intermediate.issueSvid(clientId, List.of(), List.of(), Duration.ofHours(1));
    TrustBundle bundle =
        TrustBundle.of(domain, List.of(root.certificate()), 1, Duration.ofMinutes(5));
    PeerAuthorizer countedClient =
        peer -> certificateChecks.incrementAndGet() > 0 && peer.equals(clientId);
    fullServer =
        WorkloadTls.serverContext(
            new ReloadableKeyManager(server.key()), trust(bundle, countedClient));
    fullClient =
        WorkloadTls.clientContext(
            new ReloadableKeyManager(client.key()), trust(bundle, PeerAuthorizer.only(serverId)));
    resumingServer =
        WorkloadTls.serverContext(
            new ReloadableKeyManager(server.key()),
            trust(bundle, countedClient),
            Duration.ofMinutes(5));
    resumingClient =
        WorkloadTls.clientContext(
            new ReloadableKeyManager(client.key()),
            trust(bundle, PeerAuthorizer.only(serverId)),
            Duration.ofMinutes(5));
    // Make sure each benchmark measures what it says: full handshakes check the client's
    // certificate every time, resumed ones only the first time.
    certificateChecks.set(0);
    for (int i = 0; i < 3; i++) {
      full();
    }
    if (certificateChecks.get() != 3) {
      throw new IllegalStateException("full handshakes were resumed");
    }
    certificateChecks.set(0);
    for (int i = 0; i < 3; i++) {
      resumed();
    }
    if (certificateChecks.get() != 1) {
      throw new IllegalStateException(
          "resumed handshakes checked certificates " + certificateChecks.get() + " times");
    }
  }

  /** A full mutual TLS 1.3 handshake. */
  @Benchmark
  public SSLEngine full() throws SSLException {
    return handshake(fullClient.createSSLEngine("payments", 443), fullServer.createSSLEngine());
  }

  /** A handshake resuming the session of an earlier one. */
  @Benchmark
  public SSLEngine resumed() throws SSLException {
    return handshake(
        resumingClient.createSSLEngine("payments", 443), resumingServer.createSSLEngine());
  }

  private static SpiffeTrustManager trust(TrustBundle bundle, PeerAuthorizer authorizer) {
    return new SpiffeTrustManager(
        () -> bundle, () -> DenyList.EMPTY, authorizer, Clock.systemUTC(), refusal -> {});
  }

  // Drives both engines until the handshake is over and one byte of application data has reached
  // the client, which also delivers the server's session ticket.
  private static SSLEngine handshake(SSLEngine client, SSLEngine server) throws SSLException {
    client.setUseClientMode(true);
    server.setUseClientMode(false);
    // Before a handshake the engines' sessions may report small sizes; a record is at most ~17 KiB.
    int size = 1 << 16;
    ByteBuffer toServer = ByteBuffer.allocate(size);
    ByteBuffer toClient = ByteBuffer.allocate(size);
    ByteBuffer clientApp = ByteBuffer.allocate(size);
    ByteBuffer serverApp = ByteBuffer.allocate(size);
    client.beginHandshake();
    server.beginHandshake();
    boolean pinged = false;
    for (int round = 0; round < 100; round++) {
      step(client, toServer, toClient, clientApp);
      step(server, toClient, toServer, serverApp);
      boolean done =
          client.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
              && server.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
      if (done && !pinged) {
        SSLEngineResult sent = server.wrap(PING.duplicate(), toClient);
        if (sent.bytesConsumed() == 0) {
          throw new SSLException("the server would not send application data: " + sent);
        }
        pinged = true;
      } else if (done && clientApp.position() > 0) {
        return client;
      }
    }
    throw new SSLException(
        "the handshake did not finish in 100 rounds: client "
            + client.getHandshakeStatus()
            + ", server "
            + server.getHandshakeStatus()
            + ", pinged "
            + pinged
            + ", pending to client "
            + toClient.position()
            + ", to server "
            + toServer.position());
  }

  // One turn of one engine: run its tasks, read what the peer sent, write what it has to send.
  private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer app)
      throws SSLException {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
    in.flip();
    while (in.hasRemaining()) {
      int before = in.remaining();
      engine.unwrap(in, app);
      while ((task = engine.getDelegatedTask()) != null) {
        task.run();
      }
      if (in.remaining() == before) {
        break;
      }
    }
    in.compact();
    while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
      SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
      while ((task = engine.getDelegatedTask()) != null) {
        task.run();
      }
      // Nothing more fits, or nothing was written: the peer's turn.
      if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesProduced() == 0) {
        break;
      }
    }
  }
}
