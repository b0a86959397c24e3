package dev.bulwark.cli;

import dev.bulwark.platform.Pem;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.platform.UpManifest;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Calls a running {@code bulwark up} as its operator: mutual TLS with the operator's SVID from
 * {@code up.json}, trusting only the installation's trust bundle.
 */
final class OperatorConnection {
  private final UpManifest manifest;
  private final Path data;

  OperatorConnection(Path data) {
    this.data = data;
    this.manifest = UpManifest.read(data.resolve(UpManifest.FILE_NAME));
  }

  UpManifest manifest() {
    return manifest;
  }

  /** The URL of component {@code name}, e.g. {@code ca}. */
  URI component(String name) {
    URI url = manifest.components().get(name);
    if (url == null) {
      throw new PlatformException(
          "up.json names no '" + name + "' component", "restart 'bulwark up' to rewrite it");
    }
    return url;
  }

  /**
   * Sends {@code body} (JSON) to {@code url} with {@code method}, and returns the JSON answer.
   *
   * @throws PlatformException with the server's {@code error_description} if it refuses
   */
  JsonNode call(String method, URI url, Optional<String> body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body.map(HttpRequest.BodyPublishers::ofString)
                    .orElse(HttpRequest.BodyPublishers.noBody()));
    body.ifPresent(b -> request.header("Content-Type", "application/json"));
    HttpResponse<String> response;
    try (HttpClient http =
        HttpClient.newBuilder()
            .sslContext(
                TlsContexts.client(
                    certificates(manifest.caCertificate()),
                    Optional.of(new ReloadableKeyManager(operatorKey()))))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PlatformException(
          "cannot reach " + url + ": " + e.getMessage(),
          "is 'bulwark up --data " + data + "' still running?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted while calling " + url, "run the command again");
    }
    JsonNode answer;
    try {
      answer = Json.MAPPER.readTree(response.body());
    } catch (JacksonException e) {
      throw new PlatformException(
          url + " answered " + response.statusCode() + " with no JSON", "see the logs");
    }
    if (response.statusCode() >= 300) {
      throw new PlatformException(
          "refused ("
              + response.statusCode()
              + " "
              + answer.path("error").asString("?")
              + "): "
              + answer.path("error_description").asString(""),
          "check the arguments");
    }
    return answer;
  }

  private CertifiedKey operatorKey() {
    Path file = manifest.operator().credentials();
    try {
      String pem = Files.readString(file, StandardCharsets.UTF_8);
      PrivateKey key =
          Pem.privateKey(pem)
              .orElseThrow(
                  () ->
                      new PlatformException(
                          file + " holds no PKCS#8 private key", "restart 'bulwark up'"));
      return new CertifiedKey(key, Pem.certificates(pem));
    } catch (IOException | IllegalArgumentException e) {
      throw new PlatformException(
          "cannot read the operator's credentials " + file + ": " + e.getMessage(),
          "run the command as the user that runs 'bulwark up'");
    }
  }

  /** Every certificate in a PEM file. */
  static List<X509Certificate> certificates(Path pem) {
    try {
      List<X509Certificate> certificates =
          Pem.certificates(Files.readString(pem, StandardCharsets.UTF_8));
      if (certificates.isEmpty()) {
        throw new PlatformException(pem + " holds no certificate", "restart 'bulwark up'");
      }
      return certificates;
    } catch (IOException e) {
      throw new PlatformException(
          "cannot read the certificates in " + pem + ": " + e.getMessage(),
          "restart 'bulwark up' to rewrite it");
    }
  }
}
