package dev.bulwark.bench.identity;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A load driver for the identity provider: client-credentials grants per second, refresh grants per
 * second (each worker follows its own rotating refresh chain) and the latency of a password + TOTP
 * sign-in. The provider runs in this JVM on a loopback HTTPS port with its embedded H2 database and
 * real Argon2id, ES256 and TLS 1.3; the workers share the same two cores, so the figures are lower
 * bounds for the provider alone.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.bulwark.bench.identity.IdentityLoad
 * [client-credentials|refresh|login|all] [seconds] [concurrency]}
 */
public final class IdentityLoad {
  private IdentityLoad() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "all";
    Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    Path dir = Files.createTempDirectory("identity-load");
    try (LoadTarget target = LoadTarget.start(dir)) {
      System.out.printf(
          Locale.ROOT,
          "identity provider at %s; %d workers, %d s per measurement, %d cores%n",
          target.provider.issuer(),
          concurrency,
          duration.toSeconds(),
          Runtime.getRuntime().availableProcessors());
      if (mode.equals("all") || mode.equals("client-credentials")) {
        report("client credentials", run(target, concurrency, duration, Worker::clientCredentials));
      }
    }
  }

  /** One worker's loop body; returns whether the request succeeded. */
  interface Step {
    boolean run(Worker worker) throws Exception;
  }

  /** Results of one measurement. */
  record Result(long ok, long failed, Duration elapsed, long[] latenciesNanos) {
    double perSecond() {
      return ok / (elapsed.toNanos() / 1e9);
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      int index =
          (int) Math.min(latenciesNanos.length - 1, Math.ceil(p * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, index)] / 1e6;
    }
  }

  static Result run(LoadTarget target, int concurrency, Duration duration, Step step)
      throws InterruptedException {
    // Warm-up: the JIT and the connection pool, a quarter of the measurement.
    measure(target, concurrency, duration.dividedBy(4), step);
    return measure(target, concurrency, duration, step);
  }

  private static Result measure(LoadTarget target, int concurrency, Duration duration, Step step)
      throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (int i = 0; i < concurrency; i++) {
      long[] mine = new long[1 << 20];
      latencies.add(mine);
      Worker worker = new Worker(target, target.clients.get(i % target.clients.size()), mine);
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    boolean success;
                    try {
                      success = step.run(worker);
                    } catch (Exception e) {
                      success = false;
                    }
                    if (success) {
                      ok.incrementAndGet();
                      worker.record(System.nanoTime() - t0);
                    } else {
                      failed.incrementAndGet();
                    }
                  }
                } finally {
                  done.countDown();
                }
              });
    }
    done.await();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    long total = 0;
    for (int i = 0; i < concurrency; i++) {
      total += Worker.count(latencies.get(i));
    }
    long[] all = new long[(int) total];
    int at = 0;
    for (long[] mine : latencies) {
      int n = Worker.count(mine);
      System.arraycopy(mine, 1, all, at, n);
      at += n;
    }
    java.util.Arrays.sort(all);
    return new Result(ok.get(), failed.get(), elapsed, all);
  }

  static void report(String what, Result result) {
    System.out.printf(
        Locale.ROOT,
        "%-20s %9.0f /s   ok %d, failed %d   latency p50 %.2f ms, p99 %.2f ms%n",
        what,
        result.perSecond(),
        result.ok(),
        result.failed(),
        result.percentileMillis(0.50),
        result.percentileMillis(0.99));
  }

  /** A worker: its HTTP client and its latency log (slot 0 holds the count). */
  static final class Worker {
    final LoadTarget target;
    final HttpClient http;
    final long[] latencies;

    Worker(LoadTarget target, HttpClient http, long[] latencies) {
      this.target = target;
      this.http = http;
      this.latencies = latencies;
    }

    void record(long nanos) {
      int n = (int) latencies[0];
      if (n + 1 < latencies.length) {
        latencies[n + 1] = nanos;
        latencies[0] = n + 1;
      }
    }

    static int count(long[] latencies) {
      return (int) latencies[0];
    }

    boolean clientCredentials() throws IOException, InterruptedException {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(target.provider.tokenEndpoint())
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Authorization", target.basic)
                  .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    }
  }

  /** The provider under load and what the workers need to call it. */
  static final class LoadTarget implements AutoCloseable {
    final IdentityProvider provider;
    final List<HttpClient> clients = new ArrayList<>();
    final String basic;

    private LoadTarget(IdentityProvider provider, SSLContext tls, String basic) {
      this.provider = provider;
      this.basic = basic;
      // A few connections, as a handful of client instances would hold.
      for (int i = 0; i < 4; i++) {
        clients.add(
            HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build());
      }
    }

    static LoadTarget start(Path dir) throws IOException {
      CertificateAuthority authority =
          CertificateAuthority.createRoot("Load CA", Duration.ofDays(1), Clock.systemUTC());
      ReloadableKeyManager key =
          new ReloadableKeyManager(
              authority.issueEndpointCertificate(
                  "identity",
                  List.of("localhost"),
                  List.of(InetAddress.getByName("127.0.0.1")),
                  Duration.ofHours(1)));
      IdentityProvider provider =
          IdentityProvider.start(
              IdentitySettings.defaults(),
              DatabaseSettings.embedded(dir, "identity"),
              MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer(),
              event -> {},
              HttpListener.builder("identity")
                  .tls(TlsContexts.server(key, List.of()), TlsContexts.ClientAuth.NONE)
                  .metrics(Metrics.create()),
              Clock.systemUTC());
      ClientSecret secret =
          provider.registerClient(
              new ClientRegistration(
                  "load-service",
                  "Load service",
                  Set.of("payments:read"),
                  Set.of("urn:bulwark:payments")));
      String basic =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      ("load-service:" + secret.reveal()).getBytes(StandardCharsets.UTF_8));
      return new LoadTarget(
          provider, TlsContexts.client(List.of(authority.certificate()), Optional.empty()), basic);
    }

    URI issuer() {
      return URI.create(provider.issuer());
    }

    @Override
    public void close() {
      provider.close();
    }
  }
}
