package dev.bulwark.bench;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.server.Callers;
import dev.bulwark.keys.server.KeyAccessPolicy;
import dev.bulwark.keys.server.KeysServer;
import dev.bulwark.keys.server.Operation;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.keys.FieldEncryptor;
import dev.bulwark.sdk.keys.KeysClient;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadTls;
import dev.bulwark.sdk.workload.X509Svid;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The keys service from a workload, one thread: an encrypt call to the service over mutual TLS 1.3
 * (pooled HTTP/2 connection, policy check, audit event, envelope encryption in the service), and
 * the SDK's FieldEncryptor encrypting and decrypting a field locally under its cached data key —
 * the path that makes most field encryptions cost no call at all.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar KeysServiceBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeysServiceBenchmark {
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private static final String RING = "payments.cards";
  private static final byte[] VALUE = "4111 1111 1111 1111".getBytes(StandardCharsets.UTF_8);

  private Metrics metrics;
  private KeysServer server;
  private KeysClient client;
  private FieldEncryptor fields;
  private byte[] sealedField;

  @Setup
  public void setUp() {
    TrustDomain domain = TrustDomain.of("bench.local");
    CertificateAuthority root =
        CertificateAuthority.createRoot(domain, Duration.ofDays(365), Clock.systemUTC());
    CertificateAuthority intermediate = root.issueIntermediate(Duration.ofDays(30));
    SpiffeId keysId = SpiffeId.of(domain, "/bulwark/keys");
    SpiffeId paymentsId = SpiffeId.of(domain, "/payments");
    X509Svid keys = intermediate.issueSvid(keysId, List.of(), List.of(), Duration.ofHours(1));
    X509Svid payments =
        intermediate.issueSvid(paymentsId, List.of(), List.of(), Duration.ofHours(1));
    TrustBundle bundle =
        TrustBundle.of(domain, List.of(root.certificate()), 1, Duration.ofMinutes(5));
    byte[] master = new byte[32];
    RANDOM.nextBytes(master);
    KeyRings rings =
        KeyRings.inMemory(
            MasterKey.fromBase64(java.util.Base64.getEncoder().encodeToString(master)),
            Clock.systemUTC());
    rings.ring(RING);
    metrics = Metrics.create();
    server =
        KeysServer.start(
            rings,
            KeyAccessPolicy.builder()
                .allow(
                    Callers.exactly(paymentsId),
                    "payments.*",
                    Operation.ENCRYPT,
                    Operation.DECRYPT,
                    Operation.DATAKEY)
                .build(),
            event -> {},
            HttpListener.builder("keys")
                .port(0)
                .metrics(metrics)
                .tls(
                    WorkloadTls.context(
                        new ReloadableKeyManager(keys.key()),
                        trust(bundle, PeerAuthorizer.memberOf(domain))),
                    ClientAuth.REQUIRED));
    client =
        KeysClient.builder()
            .baseUri(server.url())
            .sslContext(
                WorkloadTls.clientContext(
                    new ReloadableKeyManager(payments.key()),
                    trust(bundle, PeerAuthorizer.only(keysId))))
            .build();
    fields = FieldEncryptor.builder(client, RING).build();
    sealedField = fields.encrypt("customer-1", "card", VALUE);
  }

  @TearDown
  public void tearDown() {
    client.close();
    server.close();
    metrics.close();
  }

  /** One encrypt call to the keys service. */
  @Benchmark
  public byte[] serviceEncrypt() {
    return client.encrypt(RING, VALUE, VALUE).bytes();
  }

  /** One field encrypted locally under the cached data key. */
  @Benchmark
  public byte[] fieldEncrypt() {
    return fields.encrypt("customer-1", "card", VALUE);
  }

  /** One field decrypted locally under the cached unwrapped data key. */
  @Benchmark
  public byte[] fieldDecrypt() {
    return fields.decrypt("customer-1", "card", sealedField);
  }

  private static SpiffeTrustManager trust(TrustBundle bundle, PeerAuthorizer authorizer) {
    return new SpiffeTrustManager(
        () -> bundle, () -> DenyList.EMPTY, authorizer, Clock.systemUTC(), refusal -> {});
  }
}
