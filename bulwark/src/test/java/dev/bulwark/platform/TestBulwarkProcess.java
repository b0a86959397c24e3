package dev.bulwark.platform;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
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
   * A base port N such that N..N+4 are free now, for tests that need the same ports (and so the
   * same issuer URL) across a restart.
   */
  static int freePortBase() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      boolean free = true;
      for (int port = base; port <= base + 4 && free; port++) {
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
    throw new IOException("no five consecutive free loopback ports found");
  }

  /** Starts {@code bulwark up} with {@code --port-base portBase}; waits until up.json exists. */
  static TestBulwarkProcess upOnPorts(
      Path data, Map<String, String> env, int portBase, String... extraArgs)
      throws IOException, InterruptedException {
    Files.createDirectories(data);
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
    tls = TlsContexts.client(List.of(caCertificate()), Optional.empty());
    http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
  }

  X509Certificate caCertificate() {
    try (InputStream in =
        Files.newInputStream(Path.of(manifest.path("ca_certificate").asString()))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
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
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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
