package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.SpiffeTrustManager.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real TLS 1.3 handshakes over loopback between contexts built from test SVIDs. */
class WorkloadTlsTest {
  private static final int SO_TIMEOUT_MILLIS = 10_000;
  private static TestCa ca;
  private static X509Svid serverSvid;
  private static X509Svid clientSvid;
  private static SpiffeId serverId;
  private static SpiffeId clientId;

  private final List<PeerRefusal> refusals = new CopyOnWriteArrayList<>();
  private final AtomicReference<DenyList> denyList = new AtomicReference<>(DenyList.EMPTY);
  private Server server;

  @BeforeAll
  static void issue() {
    ca = TestCa.create();
    serverSvid = ca.svid("/server");
    clientSvid = ca.svid("/client");
    serverId = serverSvid.id();
    clientId = clientSvid.id();
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private SpiffeTrustManager trust(PeerAuthorizer authorizer) {
    return new SpiffeTrustManager(
        ca::bundle, denyList::get, authorizer, Clock.systemUTC(), refusals::add);
  }

  private Server serve(ReloadableKeyManager keys, PeerAuthorizer allowed) throws IOException {
    server = new Server(WorkloadTls.serverContext(keys, trust(allowed)));
    return server;
  }

  private SSLContext client(X509Svid svid, PeerAuthorizer server) {
    return WorkloadTls.clientContext(new ReloadableKeyManager(svid.key()), trust(server));
  }

  @Test
  void mutualTls13SucceedsBetweenAllowedWorkloads() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));

    try (SSLSocket socket = connect(client(clientSvid, PeerAuthorizer.only(serverId)))) {
      assertThat(exchange(socket, "ping")).isEqualTo("echo:ping");
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(serverSvid.leaf());
    }
    assertThat(server.clientLeaves).containsExactly(clientSvid.leaf());
    assertThat(refusals).isEmpty();
  }

  @Test
  void aServerRefusesAClientItDoesNotAllow() throws Exception {
    serve(
        new ReloadableKeyManager(serverSvid.key()),
        PeerAuthorizer.only(SpiffeId.parse("spiffe://bulwark.test/someone-else")));

    assertRefused(client(clientSvid, PeerAuthorizer.only(serverId)));
    assertThat(refusals)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.role()).isEqualTo(Role.CLIENT);
              assertThat(r.peer()).contains(clientId);
              assertThat(r.reason()).contains("is not allowed here");
            });
  }

  @Test
  void aClientRefusesAServerThatIsNotTheOneItExpects() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));

    SSLContext context =
        client(clientSvid, PeerAuthorizer.only(SpiffeId.parse("spiffe://bulwark.test/db")));
    assertThatThrownBy(() -> connect(context)).isInstanceOf(SSLHandshakeException.class);
    assertThat(refusals)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.role()).isEqualTo(Role.SERVER);
              assertThat(r.peer()).contains(serverId);
            });
  }

  @Test
  void aServerRefusesAClientOfAnotherCa() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));
    X509Svid impostor = TestCa.create().svid("/client");

    assertRefused(client(impostor, PeerAuthorizer.only(serverId)));
    assertThat(refusals)
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("not issued by a CA of this trust domain"));
  }

  @Test
  void aServerRefusesAnExpiredClient() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));
    Instant now = Instant.now();
    X509Svid expired =
        ca.leaf(clientId).validity(now.minus(Duration.ofHours(2)), now.minusSeconds(60)).svid();

    assertRefused(client(expired, PeerAuthorizer.only(serverId)));
    assertThat(refusals)
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("has expired"));
  }

  @Test
  void aServerRefusesAClientWithoutACertificate() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));

    assertRefused(WorkloadTls.anonymousClientContext(trust(PeerAuthorizer.only(serverId))));
  }

  @Test
  void aServerRefusesATls12OnlyClient() throws Exception {
    serve(new ReloadableKeyManager(serverSvid.key()), PeerAuthorizer.only(clientId));
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(
        new KeyManager[] {new ReloadableKeyManager(clientSvid.key())},
        new TrustManager[] {trust(PeerAuthorizer.only(serverId))},
        null);

    try (SSLSocket socket =
        (SSLSocket)
            tls12
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(SO_TIMEOUT_MILLIS);
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void aTrustManagerRefusesAPeerOverTls12EvenInAContextConfiguredByHand() throws Exception {
    // A plain context with its JDK defaults, which still allow TLS 1.2.
    server =
        new Server(
            WorkloadTls.context(
                new ReloadableKeyManager(serverSvid.key()), trust(PeerAuthorizer.only(clientId))));
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(null, new TrustManager[] {trust(PeerAuthorizer.only(serverId))}, null);

    try (SSLSocket socket =
        (SSLSocket)
            tls12
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(SO_TIMEOUT_MILLIS);
      socket.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
    }
    assertThat(refusals)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.role()).isEqualTo(Role.SERVER);
              assertThat(r.reason())
                  .isEqualTo("the connection uses TLSv1.2 (only TLSv1.3 is accepted)");
            });
  }

  @Test
  void theNextHandshakePresentsAnUpdatedCertificateWhileOpenConnectionsGoOn() throws Exception {
    ReloadableKeyManager serverKeys = new ReloadableKeyManager(serverSvid.key());
    serve(serverKeys, PeerAuthorizer.only(clientId));
    ReloadableKeyManager clientKeys = new ReloadableKeyManager(clientSvid.key());
    SSLContext context =
        WorkloadTls.clientContext(clientKeys, trust(PeerAuthorizer.only(serverId)));
    X509Svid renewedServer = ca.svid("/server");
    X509Svid renewedClient = ca.svid("/client");

    try (SSLSocket before = connect(context)) {
      assertThat(exchange(before, "one")).isEqualTo("echo:one");

      serverKeys.update(renewedServer.key());
      clientKeys.update(renewedClient.key());

      try (SSLSocket after = connect(context)) {
        assertThat(exchange(after, "two")).isEqualTo("echo:two");
        assertThat(after.getSession().getPeerCertificates()[0]).isEqualTo(renewedServer.leaf());
      }
      assertThat(exchange(before, "three")).isEqualTo("echo:three");
      assertThat(before.getSession().getPeerCertificates()[0]).isEqualTo(serverSvid.leaf());
    }
    assertThat(server.clientLeaves).containsExactly(clientSvid.leaf(), renewedClient.leaf());
  }

  @Test
  void everyConnectionIsVerifiedAfreshSoARevocationAppliesToTheNextOne() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    serve(
        new ReloadableKeyManager(serverSvid.key()),
        peer -> checks.incrementAndGet() > 0 && peer.equals(clientId));
    SSLContext context = client(clientSvid, PeerAuthorizer.only(serverId));

    for (int i = 0; i < 3; i++) {
      try (SSLSocket socket = connect(context)) {
        assertThat(exchange(socket, "ping")).isEqualTo("echo:ping");
      }
    }
    // No session was resumed: a resumed session would skip the certificate check.
    assertThat(checks).hasValue(3);

    denyList.set(new DenyList(Set.of(clientId), Set.of(), 1));
    assertRefused(context);
    assertThat(refusals)
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("is revoked"));
  }

  @Test
  void withinAResumptionWindowReconnectsSkipTheCertificateCheck() throws Exception {
    AtomicInteger checks = new AtomicInteger();
    server =
        new Server(
            WorkloadTls.serverContext(
                new ReloadableKeyManager(serverSvid.key()),
                trust(peer -> checks.incrementAndGet() > 0 && peer.equals(clientId)),
                Duration.ofMinutes(1)));
    SSLContext context =
        WorkloadTls.clientContext(
            new ReloadableKeyManager(clientSvid.key()),
            trust(PeerAuthorizer.only(serverId)),
            Duration.ofMinutes(1));

    for (int i = 0; i < 3; i++) {
      try (SSLSocket socket = connect(context)) {
        // The ticket arrives after the handshake; an exchange makes sure the client has it.
        assertThat(exchange(socket, "ping")).isEqualTo("echo:ping");
      }
    }

    // One full handshake; the other two resumed, which is what the window trades for speed.
    assertThat(checks).hasValue(1);
    assertThatThrownBy(
            () ->
                WorkloadTls.serverContext(
                    new ReloadableKeyManager(serverSvid.key()),
                    trust(PeerAuthorizer.only(clientId)),
                    Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEnforcedContextsDefaultToTls13AndARequiredClientCertificate() {
    SSLContext serverContext =
        WorkloadTls.serverContext(
            new ReloadableKeyManager(serverSvid.key()), trust(PeerAuthorizer.only(clientId)));
    SSLContext clientContext = client(clientSvid, PeerAuthorizer.only(serverId));

    assertThat(serverContext.getDefaultSSLParameters().getProtocols()).containsExactly("TLSv1.3");
    assertThat(serverContext.getDefaultSSLParameters().getNeedClientAuth()).isTrue();
    assertThat(serverContext.createSSLEngine().getNeedClientAuth()).isTrue();
    assertThat(serverContext.createSSLEngine().getEnabledProtocols()).containsExactly("TLSv1.3");
    assertThat(clientContext.createSSLEngine("peer", 443).getEnabledProtocols())
        .containsExactly("TLSv1.3");
    assertThatThrownBy(() -> serverContext.init(null, null, null))
        .isInstanceOf(java.security.KeyManagementException.class);
  }

  private void assertRefused(SSLContext context) throws IOException {
    // In TLS 1.3 the client finishes its handshake before the server has checked the client's
    // certificate: the refusal arrives as an alert on the first read.
    try (SSLSocket socket = connectWithoutHandshake(context)) {
      assertThatThrownBy(
              () -> {
                socket.startHandshake();
                exchange(socket, "ping");
              })
          .isInstanceOf(IOException.class);
    }
  }

  private SSLSocket connect(SSLContext context) throws IOException {
    SSLSocket socket = connectWithoutHandshake(context);
    try {
      socket.startHandshake();
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private SSLSocket connectWithoutHandshake(SSLContext context) throws IOException {
    SSLSocket socket =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(SO_TIMEOUT_MILLIS);
    return socket;
  }

  private static String exchange(SSLSocket socket, String line) throws IOException {
    Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
    out.write(line + "\n");
    out.flush();
    String answer =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    if (answer == null) {
      throw new IOException("the server closed the connection");
    }
    return answer;
  }

  /** Echoes lines, one connection per thread, remembering each client's certificate. */
  private static final class Server implements AutoCloseable {
    final List<X509Certificate> clientLeaves = new CopyOnWriteArrayList<>();
    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    Server(SSLContext context) throws IOException {
      socket =
          context
              .getServerSocketFactory()
              .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(this::accept);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket connection = socket.accept();
          threads.execute(() -> serve((SSLSocket) connection));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(SSLSocket connection) {
      try (connection) {
        connection.setSoTimeout(SO_TIMEOUT_MILLIS);
        connection.startHandshake();
        clientLeaves.add((X509Certificate) connection.getSession().getPeerCertificates()[0]);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(connection.getOutputStream(), StandardCharsets.UTF_8);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          out.write("echo:" + line + "\n");
          out.flush();
        }
      } catch (IOException e) {
        // A refused or closed connection: the client sees it.
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }
}
