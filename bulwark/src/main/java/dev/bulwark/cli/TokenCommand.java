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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code bulwark token}: an access token from a running {@code bulwark up}, for scripts and curl.
 */
@Command(
    name = "token",
    description = {
      "Print an access token for a client of a running 'bulwark up' (client credentials grant).",
      "Example: curl -H \"Authorization: Bearer $(bin/bulwark token)\" ..."
    },
    mixinStandardHelpOptions = true)
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "bulwark-data",
      description = "Data directory of the running 'bulwark up' (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--client",
      paramLabel = "ID",
      description = "Client id from up.json (default: the first demo client).")
  String clientId;

  @Option(
      names = "--resource",
      paramLabel = "URI",
      description = "RFC 8707 resource indicator narrowing the audience; repeatable.")
  List<String> resources = new ArrayList<>();

  @Option(
      names = "--scope",
      paramLabel = "SCOPES",
      description = "Space-separated scopes to ask for (default: all the client may have).")
  String scope;

  @Option(names = "--json", description = "Print the whole token response, not just the token.")
  boolean json;

  @Override
  public Integer call() throws IOException, InterruptedException {
    UpManifest manifest = UpManifest.read(data.resolve(UpManifest.FILE_NAME));
    ClientCredential client = pickClient(manifest);
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    for (String resource : resources) {
      form.append("&resource=").append(URLEncoder.encode(resource, StandardCharsets.UTF_8));
    }
    if (scope != null) {
      form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    String basic =
        URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(client.secret().reveal(), StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(identityUrl(manifest).resolve("/token"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    HttpResponse<String> response;
    try (HttpClient http =
        HttpClient.newBuilder()
            .sslContext(
                TlsContexts.client(
                    OperatorConnection.certificates(manifest.caCertificate()), Optional.empty()))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PlatformException(
          "cannot reach the identity provider at " + identityUrl(manifest) + ": " + e.getMessage(),
          "is 'bulwark up --data " + data + "' still running?");
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(response.body());
    } catch (JacksonException e) {
      throw new PlatformException(
          "the token endpoint answered " + response.statusCode() + " with no JSON",
          "see the identity logs");
    }
    if (response.statusCode() != 200) {
      throw new PlatformException(
          "token request refused: "
              + body.path("error").asString("?")
              + ": "
              + body.path("error_description").asString(""),
          "check --client, --scope and --resource against up.json");
    }
    spec.commandLine()
        .getOut()
        .println(json ? body.toString() : body.path("access_token").asString());
    return 0;
  }

  // The identity listener itself: the published issuer may be a public URL in front of it.
  private static URI identityUrl(UpManifest manifest) {
    URI url = manifest.components().get("identity");
    return url != null ? url : URI.create(manifest.issuer());
  }

  private ClientCredential pickClient(UpManifest manifest) {
    List<ClientCredential> all = new ArrayList<>(manifest.demoClients());
    all.add(manifest.admin());
    if (clientId == null) {
      if (manifest.demoClients().isEmpty()) {
        throw new PlatformException(
            "up.json lists no demo clients", "name a client with --client ID");
      }
      return manifest.demoClients().get(0);
    }
    return all.stream()
        .filter(c -> c.clientId().equals(clientId))
        .findFirst()
        .orElseThrow(
            () ->
                new PlatformException(
                    "no client '" + clientId + "' in up.json",
                    "use one of: "
                        + String.join(
                            ", ", all.stream().map(ClientCredential::clientId).toList())));
  }
}
