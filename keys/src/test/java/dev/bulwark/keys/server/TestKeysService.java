package dev.bulwark.keys.server;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.keys.KeysClient;
import dev.bulwark.sdk.workload.SpiffeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A keys service on loopback over mutual TLS 1.3, started before and closed after each test, with a
 * stand-in {@link TestKeyRings}, the policy below and an audit log the test can read.
 *
 * <ul>
 *   <li>{@link #PAYMENTS} may ENCRYPT, DECRYPT, DATAKEY and REWRAP on {@code payments.*};
 *   <li>{@link #REPORTS} may only DATAKEY on {@code payments.*} (encrypts, cannot decrypt);
 *   <li>{@link #OPS} may ADMIN on every ring;
 *   <li>{@link #BILLING} may do nothing.
 * </ul>
 */
final class TestKeysService implements BeforeEachCallback, AfterEachCallback {
  static final SpiffeId PAYMENTS = SpiffeId.of(TestWorkloads.DOMAIN, "/payments/api");
  static final SpiffeId REPORTS = SpiffeId.of(TestWorkloads.DOMAIN, "/reports");
  static final SpiffeId OPS = SpiffeId.of(TestWorkloads.DOMAIN, "/ops");
  static final SpiffeId BILLING = SpiffeId.of(TestWorkloads.DOMAIN, "/billing");
  static final String RING = "payments.cards";

  static final KeyAccessPolicy POLICY =
      KeyAccessPolicy.builder()
          .allow(
              Callers.under(SpiffeId.of(TestWorkloads.DOMAIN, "/payments")),
              "payments.*",
              Operation.ENCRYPT,
              Operation.DECRYPT,
              Operation.DATAKEY,
              Operation.REWRAP)
          .allow(Callers.exactly(REPORTS), "payments.*", Operation.DATAKEY)
          .allow(Callers.exactly(OPS), "*", Operation.ADMIN)
          .build();

  final TestWorkloads workloads = new TestWorkloads();
  final KeyRings rings =
      KeyRings.inMemory(MasterKey.fromBase64(randomMasterKey()), Clock.systemUTC());
  final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final ClientAuth clientAuth;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private Metrics metrics;
  private KeysServer server;

  TestKeysService() {
    this(ClientAuth.OPTIONAL);
  }

  TestKeysService(ClientAuth clientAuth) {
    this.clientAuth = clientAuth;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    rings.ring(RING);
    metrics = Metrics.create();
    server =
        KeysServer.start(
            rings,
            POLICY,
            audit::add,
            HttpListener.builder("keys")
                .port(0)
                .metrics(metrics)
                .tls(workloads.serverContext(), clientAuth));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    server.close();
    metrics.close();
  }

  private static String randomMasterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  URI url() {
    return server.url();
  }

  void stop() {
    server.close();
  }

  /** The SDK client of workload {@code id}. */
  KeysClient client(SpiffeId id) {
    KeysClient client =
        KeysClient.builder()
            .baseUri(url())
            .sslContext(workloads.clientContext(id))
            .timeout(Duration.ofSeconds(5))
            .build();
    open.add(client);
    return client;
  }

  /** Raw HTTP as workload {@code id}, for the admin API and malformed requests. */
  Http http(SpiffeId id) {
    return new Http(workloads.clientContext(id), url());
  }

  /** Raw HTTP with no client certificate. */
  Http anonymous() {
    return new Http(workloads.anonymousClientContext(), url());
  }

  /** The audit events of {@code action}. */
  List<AuditEvent> events(String action) {
    return audit.stream().filter(e -> e.action().equals(action)).toList();
  }

  /** A JDK HTTP client over TLS 1.3 for requests the SDK does not make. */
  static final class Http {
    private final SSLContext context;
    private final URI base;

    Http(SSLContext context, URI base) {
      this.context = context;
      this.base = base;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
      return send(
          HttpRequest.newBuilder(base.resolve(path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request)
        throws IOException, InterruptedException {
      try (HttpClient client =
          HttpClient.newBuilder()
              .sslContext(context)
              .sslParameters(dev.bulwark.sdk.workload.WorkloadTls.clientParameters())
              .version(HttpClient.Version.HTTP_1_1)
              .build()) {
        return client.send(
            request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      }
    }
  }
}
