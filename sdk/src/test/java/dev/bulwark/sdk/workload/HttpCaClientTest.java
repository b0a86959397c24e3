package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.CaClient.Credentials;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CA client against a minimal HTTPS responder on loopback: just enough HTTP/1.1 to see what the
 * client sends, over the TLS 1.3 the CA speaks (client certificate optional).
 */
class HttpCaClientTest {
  private static final SpiffeId CA_ID = SpiffeId.parse("spiffe://bulwark.test/bulwark/ca");
  private static TestCa ca;
  private static X509Svid caSvid;
  private static X509Svid workload;

  private Responder responder;

  @BeforeAll
  static void issue() {
    ca = TestCa.create();
    caSvid = ca.svid("/bulwark/ca");
    workload = ca.svid("/app");
  }

  @AfterEach
  void stop() throws IOException {
    if (responder != null) {
      responder.close();
    }
  }

  private HttpCaClient client(SpiffeId caId) {
    return new HttpCaClient(
        URI.create("https://127.0.0.1:" + responder.port()),
        caId,
        Clock.systemUTC(),
        Duration.ofSeconds(5));
  }

  private static Credentials anonymous() {
    return new Credentials(ca.bundle(), DenyList.EMPTY, Optional.empty());
  }

  private static Credentials presenting(X509Svid svid) {
    return new Credentials(ca.bundle(), DenyList.EMPTY, Optional.of(svid));
  }

  @Test
  void attestPostsTheCsrAndAttestationWithoutAClientCertificate() throws Exception {
    responder = new Responder(caSvid, request -> Answer.ok(svidJson(workload)));
    byte[] csr = SvidRequests.csr(SvidRequests.newKey());

    SvidResponse response = client(CA_ID).attest(csr, Attestation.joinToken("jt-123"), anonymous());

    assertThat(response.id()).isEqualTo(workload.id());
    assertThat(response.chain()).containsExactlyElementsOf(workload.chain());
    Request request = responder.requests.getFirst();
    assertThat(request.line()).isEqualTo("POST /v1/svid HTTP/1.1");
    assertThat(request.headers()).containsEntry("content-type", "application/json");
    assertThat(request.client()).isEmpty();
    Map<String, Object> body = JSONObjectUtils.parse(request.body());
    assertThat(body).containsKeys("csr", "attestation");
    assertThat(JSONObjectUtils.getJSONObject(body, "attestation")).containsEntry("token", "jt-123");
  }

  @Test
  void renewPresentsTheCurrentSvid() throws Exception {
    responder = new Responder(caSvid, request -> Answer.ok(svidJson(workload)));

    client(CA_ID).renew(SvidRequests.csr(SvidRequests.newKey()), presenting(workload));

    Request request = responder.requests.getFirst();
    assertThat(request.line()).isEqualTo("POST /v1/svid/renew HTTP/1.1");
    assertThat(request.client()).contains(workload.leaf());
    assertThat(JSONObjectUtils.parse(request.body())).containsOnlyKeys("csr");
  }

  @Test
  void fetchesTheBundleAndTheDenyList() throws Exception {
    DenyList denied = new DenyList(Set.of(SpiffeId.parse("spiffe://bulwark.test/x")), Set.of(), 3);
    responder =
        new Responder(
            caSvid,
            request ->
                request.line().startsWith("GET /v1/bundle ")
                    ? Answer.ok(ca.bundle(7).toJson())
                    : Answer.ok(denied.toJson()));

    assertThat(client(CA_ID).bundle(presenting(workload)).sequence()).isEqualTo(7);
    assertThat(client(CA_ID).denyList(presenting(workload)).identities())
        .isEqualTo(denied.identities());
    assertThat(responder.requests)
        .extracting(Request::line)
        .containsExactly("GET /v1/bundle HTTP/1.1", "GET /v1/denylist HTTP/1.1");
    assertThat(responder.requests).allSatisfy(r -> assertThat(r.client()).isPresent());
  }

  @Test
  void keepsThePathOfTheCaUrl() throws Exception {
    responder = new Responder(caSvid, request -> Answer.ok(ca.bundle().toJson()));
    HttpCaClient client =
        new HttpCaClient(
            URI.create("https://127.0.0.1:" + responder.port() + "/ca/"),
            CA_ID,
            Clock.systemUTC(),
            Duration.ofSeconds(5));

    client.bundle(anonymous());

    assertThat(responder.requests.getFirst().line()).isEqualTo("GET /ca/v1/bundle HTTP/1.1");
  }

  @Test
  void refusesAServerThatIsNotTheCa() {
    responder = new Responder(workload, request -> Answer.ok(ca.bundle().toJson()));

    assertThatThrownBy(() -> client(CA_ID).bundle(anonymous()))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.CA_NOT_TRUSTED);
              assertThat(e.getMessage())
                  .contains("not trusted as the CA spiffe://bulwark.test/bulwark/ca")
                  .contains("the peer spiffe://bulwark.test/app is not allowed here");
            });
    assertThat(responder.requests).isEmpty();
  }

  @Test
  void refusesACaServerOutsideTheBundle() {
    responder = new Responder(TestCa.create().svid("/bulwark/ca"), request -> Answer.ok("{}"));

    assertThatThrownBy(() -> client(CA_ID).bundle(anonymous()))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.CA_NOT_TRUSTED);
              assertThat(e.getMessage()).contains("not issued by a CA of this trust domain");
            });
  }

  @Test
  void reportsTheCasErrorWithItsCode() {
    responder =
        new Responder(
            caSvid,
            request ->
                new Answer(
                    401,
                    "{\"error\":\"attestation_failed\",\"error_description\":\"the join token"
                        + " is used\"}"));

    assertThatThrownBy(
            () ->
                client(CA_ID)
                    .attest(
                        SvidRequests.csr(SvidRequests.newKey()),
                        Attestation.joinToken("jt-secret"),
                        anonymous()))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.ATTESTATION_FAILED);
              assertThat(e.getMessage())
                  .endsWith("/v1/svid answered 401 attestation_failed: the join token is used")
                  .doesNotContain("jt-secret");
            });
  }

  @Test
  void reportsAnUnreachableCa() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    HttpCaClient client =
        new HttpCaClient(
            URI.create("https://127.0.0.1:" + closedPort),
            CA_ID,
            Clock.systemUTC(),
            Duration.ofSeconds(5));

    assertThatThrownBy(() -> client.bundle(anonymous()))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.CA_UNREACHABLE);
              assertThat(e.getMessage()).startsWith("GET https://127.0.0.1:" + closedPort);
            });
  }

  private static String svidJson(X509Svid svid) {
    try {
      return CaMessagesTest.svidJson(svid, ca.bundle());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  record Request(
      String line, Map<String, String> headers, String body, Optional<X509Certificate> client) {}

  record Answer(int status, String body) {
    static Answer ok(String body) {
      return new Answer(200, body);
    }
  }

  /** One request per connection, answered by {@code answers}; remembers what it was sent. */
  private static final class Responder implements AutoCloseable {
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final SSLServerSocket socket;
    private final Function<Request, Answer> answers;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    Responder(X509Svid identity, Function<Request, Answer> answers) {
      this.answers = answers;
      try {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(
            new KeyManager[] {new ReloadableKeyManager(identity.key())},
            new TrustManager[] {
              new SpiffeTrustManager(
                  ca::bundle,
                  () -> DenyList.EMPTY,
                  PeerAuthorizer.memberOf(TestCa.DOMAIN),
                  Clock.systemUTC(),
                  refusal -> {})
            },
            null);
        socket =
            (SSLServerSocket)
                context
                    .getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        socket.setWantClientAuth(true);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      threads.execute(this::accept);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          SSLSocket connection = (SSLSocket) socket.accept();
          threads.execute(() -> answer(connection));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void answer(SSLSocket connection) {
      try (connection) {
        connection.setSoTimeout(10_000);
        connection.startHandshake();
        Optional<X509Certificate> client;
        try {
          client = Optional.of((X509Certificate) connection.getSession().getPeerCertificates()[0]);
        } catch (SSLPeerUnverifiedException e) {
          client = Optional.empty();
        }
        InputStream in = connection.getInputStream();
        String line = readLine(in);
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
          int colon = header.indexOf(':');
          headers.put(
              header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
              header.substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        Request request = new Request(line, headers, body, client);
        requests.add(request);
        Answer answer = answers.apply(request);
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        OutputStream out = connection.getOutputStream();
        out.write(
            ("HTTP/1.1 "
                    + answer.status()
                    + " X\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        // A refused handshake: the client reports it.
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("the connection closed mid-request");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      threads.shutdownNow();
    }
  }
}
