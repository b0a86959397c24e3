package dev.bulwark.cli;

import dev.bulwark.platform.ClientCredential;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.platform.UpManifest;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Calls the identity admin API of a running {@code bulwark up} as its bootstrap admin client: an
 * access token for {@code urn:bulwark:admin} by client credentials (the secret is in {@code
 * up.json}), then bearer calls to {@code /admin/v1}.
 */
final class IdentityAdminConnection {
  static final String ADMIN_AUDIENCE = "urn:bulwark:admin";

  private final Path data;
  private final UpManifest manifest;
  private final URI identity;
  private String token;

  IdentityAdminConnection(Path data) {
    this.data = data;
    this.manifest = UpManifest.read(data.resolve(UpManifest.FILE_NAME));
    URI url = manifest.components().get("identity");
    // The identity listener itself: the published issuer may be a public URL in front of it.
    this.identity = url != null ? url : URI.create(manifest.issuer());
  }

  /** A path segment, percent-encoded, so that names cannot change the path. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Sends {@code method} to {@code /admin/v1 + path} with an optional JSON body; returns the JSON
   * answer.
   *
   * @throws PlatformException naming the server's refusal and the next step
   */
  JsonNode call(String method, String path, Optional<String> json) {
    if (token == null) {
      token = adminToken();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(identity.resolve("/admin/v1" + path))
            .timeout(Duration.ofSeconds(15))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                json.map(HttpRequest.BodyPublishers::ofString)
                    .orElse(HttpRequest.BodyPublishers.noBody()));
    json.ifPresent(j -> request.header("Content-Type", "application/json"));
    HttpResponse<String> response = send(request.build());
    JsonNode answer = parse(response);
    if (response.statusCode() >= 300) {
      throw new PlatformException(
          "refused ("
              + response.statusCode()
              + " "
              + answer.path("error").asString("?")
              + "): "
              + answer.path("error_description").asString(""),
          nextStep(response.statusCode()));
    }
    return answer;
  }

  private static String nextStep(int status) {
    return switch (status) {
      case 401, 403 ->
          "the admin client in up.json needs the identity-admin role: restart 'bulwark up' to"
              + " update it";
      case 404 -> "check the name against the matching 'bulwark identity ... list'";
      case 409 -> "it exists already: pick another name, or change the existing one";
      default -> "check the arguments";
    };
  }

  // RFC 6749 §4.4 with an RFC 8707 resource indicator for the admin API.
  private String adminToken() {
    ClientCredential admin = manifest.admin();
    String basic =
        URLEncoder.encode(admin.clientId(), StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(admin.secret().reveal(), StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(identity.resolve("/token"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "grant_type=client_credentials&resource="
                        + URLEncoder.encode(ADMIN_AUDIENCE, StandardCharsets.UTF_8)))
            .build();
    HttpResponse<String> response = send(request);
    JsonNode body = parse(response);
    if (response.statusCode() != 200) {
      throw new PlatformException(
          "the identity provider refused the admin client a token: "
              + body.path("error").asString("?")
              + ": "
              + body.path("error_description").asString(""),
          "restart 'bulwark up --data "
              + data
              + "' so that up.json holds the current admin secret");
    }
    return body.path("access_token").asString();
  }

  private HttpResponse<String> send(HttpRequest request) {
    try (HttpClient http =
        HttpClient.newBuilder()
            .sslContext(
                TlsContexts.client(
                    OperatorConnection.certificates(manifest.caCertificate()), Optional.empty()))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PlatformException(
          "cannot reach the identity provider at " + identity + ": " + e.getMessage(),
          "is 'bulwark up --data " + data + "' still running?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformException("interrupted while calling " + identity, "run the command again");
    }
  }

  private static JsonNode parse(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (JacksonException e) {
      throw new PlatformException(
          response.uri() + " answered " + response.statusCode() + " with no JSON",
          "see logs/bulwark.log in the data directory");
    }
  }
}
