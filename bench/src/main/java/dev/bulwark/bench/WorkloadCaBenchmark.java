package dev.bulwark.bench;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
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
 * How many X.509-SVIDs the CA signs per second from PKCS#10 requests: parsing the CSR, checking its
 * signature (proof of possession), building and signing the certificate with the intermediate's
 * P-256 key. The workloads' own key generation and CSR signing happen in setup, as they happen on
 * the workloads' machines.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar WorkloadCaBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WorkloadCaBenchmark {
  private static final int REQUESTS = 256;

  private CertificateAuthority intermediate;
  private SpiffeId workload;
  private byte[][] requests;
  private int next;

  @Setup
  public void setUp() throws Exception {
    TrustDomain domain = TrustDomain.of("bench.local");
    CertificateAuthority root =
        CertificateAuthority.createRoot(domain, Duration.ofDays(365), Clock.systemUTC());
    intermediate = root.issueIntermediate(Duration.ofDays(30));
    workload = SpiffeId.of(domain, "/ns/bench/sa/payments");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    requests = new byte[REQUESTS][];
    for (int i = 0; i < REQUESTS; i++) {
      KeyPair keys = generator.generateKeyPair();
      requests[i] =
          new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=Bench"), keys.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
              .getEncoded();
    }
  }

  /** One SVID from one CSR. */
  @Benchmark
  public List<X509Certificate> signSvidFromCsr() {
    byte[] request = requests[next++ & (REQUESTS - 1)];
    return intermediate.issueSvid(request, workload, List.of(), List.of(), Duration.ofHours(1));
  }
}
