package dev.bulwark.bench.identity;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.internal.mfa.Base32;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * A load driver for the identity provider: client-credentials grants per second, refresh grants per
 * second (each worker follows its own rotating refresh chain) and the latency of a password + TOTP
 * sign-in through the real pages. The provider runs in this JVM on a loopback HTTPS port with its
 * embedded H2 database and real Argon2id, ES256 and TLS 1.3.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.bulwark.bench.identity.IdentityLoad MODE ...}
 *
 * <ul>
 *   <li>{@code client-credentials [seconds] [concurrency] [ES256|EdDSA|RS256]}: Java HTTP client
 *       workers on virtual threads, sharing the cores with the provider (a lower bound);
 *   <li>{@code refresh [seconds] [concurrency]}: each worker rotates its own refresh chain;
 *   <li>{@code login [count] [concurrency]}: {@code count} sequential password + TOTP sign-ins
 *       (authorize, password page, TOTP page, code at /token), with percentiles of the whole and of
 *       each part, then {@code count} more by {@code concurrency} workers for a sign-ins/s figure;
 *   <li>{@code serve OUT_DIR [refresh-chains]}: starts the provider, registers the clients, signs
 *       users in through the pages for refresh chains and writes what {@code wrk} needs into
 *       OUT_DIR ({@code url}, {@code basic-<alg>}, {@code refresh-client}, {@code refresh-tokens},
 *       then {@code ready}); runs until killed ({@code bench/identity/run.sh}).
 * </ul>
 */
public final class IdentityLoad {
  static final URI CALLBACK = URI.create("https://app.example/callback");
  static final String WEB_APP = "load-web";
  static final List<String> ALGORITHMS = List.of("ES256", "EdDSA", "RS256");
  private static final Pattern FORM =
      Pattern.compile("<form method=\"post\" action=\"([^\"]*)\">(.*?)</form>", Pattern.DOTALL);
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  private static final Pattern REFRESH = Pattern.compile("\"refresh_token\"\\s*:\\s*\"([^\"]+)\"");
  private static final SecureRandom RANDOM = new SecureRandom();

  private IdentityLoad() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "client-credentials";
    Path dir = Files.createTempDirectory("identity-load");
    try (LoadTarget target = LoadTarget.start(dir)) {
      System.out.printf(
          Locale.ROOT,
          "identity provider at %s; %d cores%n",
          target.provider.issuer(),
          Runtime.getRuntime().availableProcessors());
      switch (mode) {
        case "client-credentials" -> {
          Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
          int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
          String alg = args.length > 3 ? args[3] : "ES256";
          String basic = target.basic.get(alg);
          report(
              "client credentials " + alg,
              run(target, concurrency, duration, w -> w.clientCredentials(basic)));
        }
        case "refresh" -> {
          Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 20);
          int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
          List<String> chains = target.refreshChains(concurrency);
          report("refresh", run(target, concurrency, duration, w -> w.refresh(chains)));
        }
        case "login" -> {
          int count = args.length > 1 ? Integer.parseInt(args[1]) : 50;
          int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 4;
          loginLatency(target, count, concurrency);
        }
        case "serve" ->
            serve(target, Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 8);
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    }
  }

  static void serve(LoadTarget target, Path out, int chains) throws Exception {
    Files.createDirectories(out);
    Files.writeString(out.resolve("url"), target.provider.issuer());
    for (String alg : ALGORITHMS) {
      Files.writeString(out.resolve("basic-" + alg), target.basic.get(alg));
    }
    Files.writeString(out.resolve("refresh-client"), WEB_APP);
    Files.writeString(
        out.resolve("refresh-tokens"), String.join("\n", target.refreshChains(chains)) + "\n");
    Files.writeString(out.resolve("ready"), "ready\n");
    System.out.println("serving; wrk inputs in " + out);
    new CountDownLatch(1).await();
  }

  // ---- login latency -------------------------------------------------------------------------

  /** One timed sign-in: nanoseconds of the whole and of each part. */
  record LoginTiming(long authorize, long password, long totp, long token) {
    long total() {
      return authorize + password + totp + token;
    }
  }

  static void loginLatency(LoadTarget target, int count, int concurrency) throws Exception {
    System.out.printf(Locale.ROOT, "enrolling %d users with TOTP...%n", 2 * count);
    List<Enrolled> users = target.enrollUsers(2 * count, concurrency);
    // Warm-up: a few sign-ins that are not counted (JIT, connections).
    List<LoginTiming> sequential = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sequential.add(target.login(users.get(i)));
    }
    printLogins("sequential sign-ins", sequential);
    ConcurrentLinkedQueue<LoginTiming> concurrent = new ConcurrentLinkedQueue<>();
    AtomicLong next = new AtomicLong(count);
    long start = System.nanoTime();
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        running.add(
            workers.submit(
                () -> {
                  for (long i = next.getAndIncrement();
                      i < 2L * count;
                      i = next.getAndIncrement()) {
                    concurrent.add(target.login(users.get((int) i)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    printLogins(concurrency + " concurrent users", new ArrayList<>(concurrent));
    System.out.printf(
        Locale.ROOT,
        "sign-ins/s with %d concurrent users: %.1f (%d in %.1f s)%n",
        concurrency,
        count / seconds,
        count,
        seconds);
  }

  static void printLogins(String what, List<LoginTiming> timings) {
    System.out.printf(Locale.ROOT, "%s (%d), ms p50 / p90 / p99:%n", what, timings.size());
    printPart("  whole sign-in", timings.stream().mapToLong(LoginTiming::total).toArray());
    printPart("  GET /authorize", timings.stream().mapToLong(LoginTiming::authorize).toArray());
    printPart(
        "  POST /login (password)", timings.stream().mapToLong(LoginTiming::password).toArray());
    printPart("  POST /login/mfa (TOTP)", timings.stream().mapToLong(LoginTiming::totp).toArray());
    printPart("  POST /token (code)", timings.stream().mapToLong(LoginTiming::token).toArray());
  }

  static void printPart(String what, long[] nanos) {
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "%-28s %8.1f %8.1f %8.1f%n",
        what,
        percentile(nanos, 0.50) / 1e6,
        percentile(nanos, 0.90) / 1e6,
        percentile(nanos, 0.99) / 1e6);
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)];
  }

  // ---- throughput ----------------------------------------------------------------------------

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
      return latenciesNanos.length == 0 ? Double.NaN : percentile(latenciesNanos, p) / 1e6;
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
      Worker worker = new Worker(i, target, target.clients.get(i % target.clients.size()), mine);
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
    Arrays.sort(all);
    return new Result(ok.get(), failed.get(), elapsed, all);
  }

  static void report(String what, Result result) {
    System.out.printf(
        Locale.ROOT,
        "%-26s %9.0f /s   ok %d, failed %d   latency p50 %.2f ms, p99 %.2f ms%n",
        what,
        result.perSecond(),
        result.ok(),
        result.failed(),
        result.percentileMillis(0.50),
        result.percentileMillis(0.99));
  }

  /** A worker: its HTTP client, its latency log (slot 0 holds the count), its refresh chain. */
  static final class Worker {
    final int index;
    final LoadTarget target;
    final HttpClient http;
    final long[] latencies;
    String refreshToken;

    Worker(int index, LoadTarget target, HttpClient http, long[] latencies) {
      this.index = index;
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

    boolean clientCredentials(String basic) throws IOException, InterruptedException {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(target.provider.tokenEndpoint())
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Authorization", basic)
                  .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    }

    // Strictly sequential per worker: a reused refresh token would revoke the family.
    boolean refresh(List<String> chains) throws IOException, InterruptedException {
      if (refreshToken == null) {
        refreshToken = chains.get(index);
      }
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(target.provider.tokenEndpoint())
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "grant_type=refresh_token&client_id="
                              + WEB_APP
                              + "&refresh_token="
                              + refreshToken))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      Matcher m = REFRESH.matcher(response.body());
      if (!m.find()) {
        return false;
      }
      refreshToken = m.group(1);
      return true;
    }
  }

  /** A user with a confirmed TOTP seed, and the last time step a code of theirs was used. */
  static final class Enrolled {
    final String username;
    final String password;
    final byte[] seed;
    long lastStep;

    Enrolled(String username, String password, byte[] seed, long lastStep) {
      this.username = username;
      this.password = password;
      this.seed = seed;
      this.lastStep = lastStep;
    }
  }

  /** A scripted browser: a cookie jar, no automatic redirects. */
  static final class Browser {
    final LoadTarget target;
    final HttpClient http;

    Browser(LoadTarget target) {
      this.target = target;
      this.http =
          HttpClient.newBuilder()
              .sslContext(target.tls)
              .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
              .followRedirects(HttpClient.Redirect.NEVER)
              .version(HttpClient.Version.HTTP_1_1)
              .build();
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
      return http.send(
          HttpRequest.newBuilder(URI.create(target.provider.issuer() + pathAndQuery)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form, Optional<String> basic)
        throws IOException, InterruptedException {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(target.provider.issuer() + path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
      basic.ifPresent(b -> request.header("Authorization", b));
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> submit(
        HttpResponse<String> page, String action, Map<String, String> fields)
        throws IOException, InterruptedException {
      Map<String, String> form = new LinkedHashMap<>(hiddenFields(page.body(), action));
      form.putAll(fields);
      return post(action, form, Optional.empty());
    }
  }

  /** The provider under load and what the workers need to call it. */
  static final class LoadTarget implements AutoCloseable {
    final IdentityProvider provider;
    final SSLContext tls;
    final List<HttpClient> clients = new ArrayList<>();
    final Map<String, String> basic;

    private LoadTarget(IdentityProvider provider, SSLContext tls, Map<String, String> basic) {
      this.provider = provider;
      this.tls = tls;
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
      Map<String, String> basic = new LinkedHashMap<>();
      for (String alg : ALGORITHMS) {
        String clientId = "load-service-" + alg.toLowerCase(Locale.ROOT);
        ClientSecret secret =
            provider.registerClient(
                ClientRegistration.builder(clientId, "Load service " + alg)
                    .grantTypes(ClientRegistration.CLIENT_CREDENTIALS)
                    .scopes(Set.of("payments:read"))
                    .audiences(Set.of("urn:bulwark:payments"))
                    .signingAlgorithm(alg)
                    .build());
        basic.put(
            alg,
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (clientId + ":" + secret.reveal()).getBytes(StandardCharsets.UTF_8)));
      }
      provider.registerClientWithoutSecret(
          ClientRegistration.builder(WEB_APP, "Load web app")
              .grantTypes(ClientRegistration.AUTHORIZATION_CODE, ClientRegistration.REFRESH_TOKEN)
              .authMethod(ClientRegistration.ClientAuthMethod.NONE)
              .redirectUris(CALLBACK)
              .scopes(Set.of("payments:read"))
              .audiences(Set.of("urn:bulwark:payments"))
              .build());
      return new LoadTarget(
          provider, TlsContexts.client(List.of(authority.certificate()), Optional.empty()), basic);
    }

    /**
     * Signs {@code count} users in through the pages (password only) and returns refresh tokens.
     */
    List<String> refreshChains(int count) throws Exception {
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String username = "chain-" + i;
        String password = "load-chain-password-" + i + "-Zq8x7";
        provider.createUser(username, "Chain " + i, Optional.empty(), password);
        Browser browser = new Browser(this);
        Pkce pkce = Pkce.create();
        HttpResponse<String> page = browser.get("/authorize?" + encode(authorizeParameters(pkce)));
        HttpResponse<String> done =
            browser.submit(page, "/login", Map.of("username", username, "password", password));
        String body = redeem(browser, code(done), pkce).body();
        Matcher m = REFRESH.matcher(body);
        if (!m.find()) {
          throw new IllegalStateException("no refresh token: " + body);
        }
        tokens.add(m.group(1));
      }
      return tokens;
    }

    /** Creates {@code count} users and enrolls TOTP for each at /account/mfa. */
    List<Enrolled> enrollUsers(int count, int concurrency) throws Exception {
      List<Future<Enrolled>> futures = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
        for (int i = 0; i < count; i++) {
          int n = i;
          futures.add(pool.submit(() -> enroll(n)));
        }
        List<Enrolled> users = new ArrayList<>();
        for (Future<Enrolled> f : futures) {
          users.add(f.get());
        }
        return users;
      }
    }

    private Enrolled enroll(int n) throws Exception {
      String username = "mfa-user-" + n;
      String password = "load-mfa-password-" + n + "-Zq8x7";
      provider.createUser(username, "MFA user " + n, Optional.empty(), password);
      Browser browser = new Browser(this);
      HttpResponse<String> page =
          browser.get("/authorize?" + encode(authorizeParameters(Pkce.create())));
      code(browser.submit(page, "/login", Map.of("username", username, "password", password)));
      HttpResponse<String> mfa = browser.get("/account/mfa");
      Matcher secret =
          Pattern.compile("<code id=\"totp-secret\">([A-Z2-7]+)</code>").matcher(mfa.body());
      if (!secret.find()) {
        throw new IllegalStateException("no TOTP secret on the enrollment page");
      }
      byte[] seed = Base32.decode(secret.group(1));
      long step = Instant.now().getEpochSecond() / 30;
      HttpResponse<String> done =
          browser.submit(mfa, "/account/mfa", Map.of("code", totp(seed, step)));
      if (!done.body().contains("<li><code>")) {
        throw new IllegalStateException("enrollment failed: " + done.statusCode());
      }
      return new Enrolled(username, password, seed, step);
    }

    /** A whole password + TOTP sign-in in a fresh browser, timed by part. */
    LoginTiming login(Enrolled user) throws Exception {
      Browser browser = new Browser(this);
      Pkce pkce = Pkce.create();
      long t0 = System.nanoTime();
      HttpResponse<String> page = browser.get("/authorize?" + encode(authorizeParameters(pkce)));
      long t1 = System.nanoTime();
      HttpResponse<String> second =
          browser.submit(
              page, "/login", Map.of("username", user.username, "password", user.password));
      long t2 = System.nanoTime();
      if (!second.body().contains("action=\"/login/mfa\"")) {
        throw new IllegalStateException("no second-factor page: " + second.statusCode());
      }
      // A step after the last one used (a used step is refused as a replay), within ±1 of now.
      long step = Math.max(Instant.now().getEpochSecond() / 30, user.lastStep + 1);
      user.lastStep = step;
      long t3 = System.nanoTime();
      HttpResponse<String> redirect =
          browser.submit(second, "/login/mfa", Map.of("totp", totp(user.seed, step)));
      long t4 = System.nanoTime();
      HttpResponse<String> token = redeem(browser, code(redirect), pkce);
      long t5 = System.nanoTime();
      if (token.statusCode() != 200) {
        throw new IllegalStateException("code redemption failed: " + token.statusCode());
      }
      return new LoginTiming(t1 - t0, t2 - t1, t4 - t3, t5 - t4);
    }

    HttpResponse<String> redeem(Browser browser, String code, Pkce pkce)
        throws IOException, InterruptedException {
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "authorization_code");
      form.put("code", code);
      form.put("redirect_uri", CALLBACK.toString());
      form.put("client_id", WEB_APP);
      form.put("code_verifier", pkce.verifier());
      return browser.post("/token", form, Optional.empty());
    }

    @Override
    public void close() {
      provider.close();
    }
  }

  static Map<String, String> authorizeParameters(Pkce pkce) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("response_type", "code");
    parameters.put("client_id", WEB_APP);
    parameters.put("redirect_uri", CALLBACK.toString());
    parameters.put("scope", "openid payments:read");
    parameters.put("state", "state-" + RANDOM.nextInt(1_000_000));
    parameters.put("code_challenge", pkce.challenge());
    parameters.put("code_challenge_method", "S256");
    return parameters;
  }

  static String code(HttpResponse<String> redirect) {
    String location =
        redirect
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "sign-in did not redirect: " + redirect.statusCode()));
    String query = URI.create(location).getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("code=")) {
        return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
      }
    }
    throw new IllegalStateException("no code in the redirect");
  }

  static Map<String, String> hiddenFields(String html, String action) {
    Matcher form = FORM.matcher(html);
    while (form.find()) {
      if (form.group(1).equals(action)) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher hidden = HIDDEN.matcher(form.group(2));
        while (hidden.find()) {
          fields.put(
              hidden.group(1),
              hidden
                  .group(2)
                  .replace("&quot;", "\"")
                  .replace("&#39;", "'")
                  .replace("&lt;", "<")
                  .replace("&gt;", ">")
                  .replace("&amp;", "&"));
        }
        return fields;
      }
    }
    throw new IllegalStateException("no form posting to " + action);
  }

  static String totp(byte[] seed, long step) throws GeneralSecurityException {
    return new TimeBasedOneTimePasswordGenerator()
        .generateOneTimePasswordString(
            new SecretKeySpec(seed, "HmacSHA1"), Instant.ofEpochSecond(step * 30), Locale.ROOT);
  }

  static String encode(Map<String, String> parameters) {
    return parameters.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  /** A PKCE pair (RFC 7636 §4.1–§4.2). */
  record Pkce(String verifier, String challenge) {
    static Pkce create() throws GeneralSecurityException {
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
    }
  }
}
