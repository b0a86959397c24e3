package dev.bulwark.platform;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.Attestation;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadIdentity;
import dev.bulwark.sdk.workload.WorkloadIdentityException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;

/**
 * A real {@code bulwark up} process, started from the built jar on free loopback ports, with
 * helpers to talk to it over HTTPS as a client would.
 */
final class TestBulwarkProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  final Path data;
  final Process process;
  final Path stdout;
  final Path stderr;
  final long launchedAtMillis;
  JsonNode manifest;
  SSLContext tls;
  HttpClient http;

  private TestBulwarkProcess(
      Path data, Process process, Path stdout, Path stderr, long launchedAtMillis) {
    this.data = data;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.launchedAtMillis = launchedAtMillis;
  }

  /** Runs {@code bulwark args...} to completion (for commands that exit), returning the result. */
  static Result run(Path workDir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Process process = launch(workDir, env, out, err, args);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "bulwark " + String.join(" ", args) + " did not exit within 60 s");
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts {@code bulwark up} and waits until it has written up.json. */
  static TestBulwarkProcess up(Path data, Map<String, String> env, String... extraArgs)
      throws IOException, InterruptedException {
    return upOnPorts(data, env, 0, extraArgs);
  }

  /**
   * A base port N such that N..N+7 are free now, for tests that need the same ports (and so the
   * same issuer URL) across a restart.
   */
  static int freePortBase() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      boolean free = true;
      for (int port = base; port <= base + BulwarkConfig.EXTRA_PORTS && free; port++) {
        try (java.net.ServerSocket socket =
            new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
          socket.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no six consecutive free loopback ports found");
  }

  /** Starts {@code bulwark up} with {@code --port-base portBase}; waits until up.json exists. */
  static TestBulwarkProcess upOnPorts(
      Path data, Map<String, String> env, int portBase, String... extraArgs)
      throws IOException, InterruptedException {
    Files.createDirectories(data);
    // A process killed with SIGKILL leaves its up.json behind: waiting for the file must not
    // mistake that one for the new process being ready.
    Files.deleteIfExists(data.resolve("up.json"));
    Path work = data.getParent();
    Path out = Files.createTempFile(work, "up-out", ".txt");
    Path err = Files.createTempFile(work, "up-err", ".txt");
    List<String> args =
        new ArrayList<>(
            List.of("up", "--data", data.toString(), "--port-base", Integer.toString(portBase)));
    args.addAll(List.of(extraArgs));
    long launched = System.currentTimeMillis();
    Process process = launch(work, env, out, err, args.toArray(String[]::new));
    TestBulwarkProcess up = new TestBulwarkProcess(data, process, out, err, launched);
    up.awaitManifest();
    return up;
  }

  private static Process launch(
      Path workDir, Map<String, String> env, Path out, Path err, String... args)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = System.getProperty("bulwark.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException(
          "system property bulwark.jar must name the built jar (run through Maven's verify)");
    }
    List<String> command = new ArrayList<>(List.of(java, "-jar", jar));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("BULWARK_"));
    builder.environment().putAll(env);
    return builder.start();
  }

  private void awaitManifest() throws IOException, InterruptedException {
    Path file = data.resolve("up.json");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!Files.exists(file)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "bulwark up exited with " + process.exitValue() + ": " + Files.readString(stderr));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("bulwark up did not write up.json within " + START_TIMEOUT);
      }
      Thread.sleep(50);
    }
    manifest = Json.MAPPER.readTree(Files.readString(file));
    tls = TlsContexts.client(bundleRoots(), Optional.empty());
    http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The trust bundle's roots, from the PEM file up.json names. */
  List<X509Certificate> bundleRoots() {
    return certificates(Path.of(manifest.path("ca_certificate").asString()));
  }

  X509Certificate caCertificate() {
    return bundleRoots().get(0);
  }

  /**
   * A client context presenting the operator's current SVID (read from its files now: they are
   * rewritten at every renewal) and trusting the bundle.
   */
  SSLContext operatorTls() {
    return TlsContexts.client(bundleRoots(), Optional.of(new ReloadableKeyManager(operatorKey())));
  }

  /** The operator's current certificate and key, as its credentials file holds them now. */
  CertifiedKey operatorKey() {
    try {
      String pem = Files.readString(operatorCredentials());
      return new CertifiedKey(Pem.privateKey(pem).orElseThrow(), Pem.certificates(pem));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The PEM file holding the operator's certificate chain and key. */
  Path operatorCredentials() {
    return Path.of(manifest.path("operator").path("credentials").asString());
  }

  /** An HTTP client calling as the operator; a new one each time, with the current SVID. */
  HttpClient operatorHttp() {
    return HttpClient.newBuilder()
        .sslContext(operatorTls())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** The certificate chain {@code component} presents now, read over mTLS as the operator. */
  List<X509Certificate> presentedChain(String component) {
    URI url = component(component, "");
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            operatorTls().getSocketFactory().createSocket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      List<X509Certificate> chain = new ArrayList<>();
      for (java.security.cert.Certificate c : socket.getSession().getPeerCertificates()) {
        chain.add((X509Certificate) c);
      }
      return chain;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<X509Certificate> certificates(Path pem) {
    try {
      return Pem.certificates(Files.readString(pem));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A workload identity for {@code spiffeId}, obtained as any workload would: a join token from
   * {@code bulwark ca join-token} (the operator's privilege), redeemed at the CA over the network.
   */
  WorkloadIdentity attest(String spiffeId) throws IOException, InterruptedException {
    Result token =
        run(
            data.getParent(),
            Map.of(),
            "ca",
            "join-token",
            "--data",
            data.toString(),
            "--spiffe-id",
            spiffeId,
            "--ttl",
            "1m");
    if (token.exitCode() != 0) {
      throw new IllegalStateException("join-token failed: " + token.stderr());
    }
    TrustDomain domain = TrustDomain.of(manifest.path("trust_domain").asString());
    try {
      return WorkloadIdentity.builder()
          .caUrl(URI.create(manifest.path("components").path("ca").asString()))
          .caId(SpiffeId.of(domain, "/bulwark/ca"))
          .bundle(TrustBundle.of(domain, bundleRoots(), 0, Duration.ofSeconds(5)))
          .attestation(Attestation.joinToken(token.stdout().trim()))
          .start(Duration.ofSeconds(20));
    } catch (WorkloadIdentityException e) {
      throw new IllegalStateException("attestation failed: " + e.getMessage(), e);
    }
  }

  /** An HTTP client presenting {@code workload}'s SVID and trusting the bundle. */
  HttpClient httpAs(WorkloadIdentity workload) {
    return HttpClient.newBuilder()
        .sslContext(TlsContexts.client(bundleRoots(), Optional.of(workload.keyManager())))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * Sends {@code request} with {@code client}; an IOException (e.g. a refused handshake) is thrown
   * unchecked.
   */
  static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  URI gateway(String path) {
    return URI.create(manifest.path("gateway_url").asString() + path);
  }

  URI component(String name, String path) {
    return URI.create(manifest.path("components").path(name).asString() + path);
  }

  /** A credential from up.json's demo clients. */
  JsonNode demoClient(String clientId) {
    for (JsonNode client : manifest.path("demo_clients")) {
      if (client.path("client_id").asString().equals(clientId)) {
        return client;
      }
    }
    throw new IllegalArgumentException("no demo client " + clientId);
  }

  /** A client-credentials token for {@code clientId}, optionally narrowed to {@code resource}. */
  String token(String clientId, Optional<String> resource) {
    HttpResponse<String> response = tokenResponse(clientId, resource);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "token request failed: " + response.statusCode() + " " + response.body());
    }
    return Json.MAPPER.readTree(response.body()).path("access_token").asString();
  }

  /** A client-credentials token for any client, for {@code resource}. */
  String clientCredentialsToken(String clientId, String secret, String resource) {
    String pair = clientId + ":" + secret;
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(component("identity", "/token"))
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&resource="
                            + URLEncoder.encode(resource, StandardCharsets.UTF_8)))
                .build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "token request failed: " + response.statusCode() + " " + response.body());
    }
    return Json.MAPPER.readTree(response.body()).path("access_token").asString();
  }

  HttpResponse<String> tokenResponse(String clientId, Optional<String> resource) {
    JsonNode client = demoClient(clientId);
    String pair =
        client.path("client_id").asString() + ":" + client.path("client_secret").asString();
    String form =
        "grant_type=client_credentials"
            + resource
                .map(r -> "&resource=" + URLEncoder.encode(r, StandardCharsets.UTF_8))
                .orElse("");
    return send(
        HttpRequest.newBuilder(component("identity", "/token"))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build());
  }

  HttpResponse<String> get(URI uri, Optional<String> bearer) {
    return get(uri, bearer, Map.of());
  }

  HttpResponse<String> get(URI uri, Optional<String> bearer, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    bearer.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    headers.forEach(request::header);
    return send(request.build());
  }

  HttpResponse<String> postJson(URI uri, String bearer, String json) {
    return send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  HttpResponse<String> send(HttpRequest request) {
    return send(http, request);
  }

  String logs() throws IOException {
    Path log = data.resolve("logs/bulwark.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Sends SIGTERM and waits for the process to finish shutting down; returns its exit status. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("bulwark up did not stop within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  static Map<String, String> env(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  /** A finished command's exit status and output. */
  record Result(int exitCode, String stdout, String stderr) {}
}
