package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.ClientSecret;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code DIR/up.json}: what a running {@code bulwark up} offers — URLs, the CA certificate to
 * trust, and credentials — for scripts and for {@code bulwark token}. Written with mode 0600.
 *
 * @param issuer the token issuer
 * @param gatewayUrl the public entry point
 * @param caCertificate the PEM file of the trust bundle's roots, to which every listener's
 *     certificate chains
 * @param trustDomain the SPIFFE trust domain of every workload
 * @param operator the operator's workload identity files, for the CLI and monitoring
 * @param components every listener by name
 * @param admin the administrator client
 * @param demoClients the demo clients
 * @param pid the process id of {@code bulwark up}
 * @param startupMillis milliseconds from JVM start to serving
 */
public record UpManifest(
    String issuer,
    URI gatewayUrl,
    Path caCertificate,
    String trustDomain,
    Operator operator,
    Map<String, URI> components,
    ClientCredential admin,
    List<ClientCredential> demoClients,
    long pid,
    long startupMillis) {
  /** The file name inside the data directory. */
  public static final String FILE_NAME = "up.json";

  public UpManifest {
    requireNonNull(issuer, "issuer");
    requireNonNull(gatewayUrl, "gatewayUrl");
    requireNonNull(caCertificate, "caCertificate");
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(operator, "operator");
    components = Map.copyOf(components);
    requireNonNull(admin, "admin");
    demoClients = List.copyOf(demoClients);
  }

  /** Writes the manifest atomically with mode 0600. */
  public void write(Path file) throws IOException {
    ObjectNode root = Json.object();
    root.put("issuer", issuer);
    root.put("gateway_url", gatewayUrl.toString());
    root.put("ca_certificate", caCertificate.toString());
    root.put("trust_domain", trustDomain);
    root.putObject("operator")
        .put("spiffe_id", operator.spiffeId())
        .put("credentials", operator.credentials().toString());
    ObjectNode listeners = root.putObject("components");
    new java.util.TreeMap<>(components).forEach((name, url) -> listeners.put(name, url.toString()));
    root.set("admin", credentialJson(admin));
    ArrayNode demos = root.putArray("demo_clients");
    demoClients.forEach(c -> demos.add(credentialJson(c)));
    root.put("pid", pid);
    root.put("startup_ms", startupMillis);
    DataDirectory.writePrivate(
        file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  /**
   * Reads a manifest.
   *
   * @throws PlatformException if it is missing or unreadable
   */
  public static UpManifest read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new PlatformException(
          "no running 'bulwark up' found: " + file + " does not exist",
          "start one with: bin/bulwark up --data " + file.getParent());
    }
    try {
      JsonNode root = Json.MAPPER.readTree(Files.readString(file));
      Map<String, URI> components = new LinkedHashMap<>();
      root.path("components")
          .properties()
          .forEach(e -> components.put(e.getKey(), URI.create(e.getValue().asString())));
      List<ClientCredential> demos = new ArrayList<>();
      root.path("demo_clients").forEach(node -> demos.add(credentialFrom(node)));
      return new UpManifest(
          root.path("issuer").asString(),
          URI.create(root.path("gateway_url").asString()),
          Path.of(root.path("ca_certificate").asString()),
          root.path("trust_domain").asString(),
          new Operator(
              root.path("operator").path("spiffe_id").asString(),
              Path.of(root.path("operator").path("credentials").asString())),
          components,
          credentialFrom(root.path("admin")),
          demos,
          root.path("pid").asLong(),
          root.path("startup_ms").asLong());
    } catch (IOException | JacksonException | IllegalArgumentException e) {
      throw new PlatformException(
          file + " is not a valid up.json", "restart 'bulwark up' to rewrite it", e);
    }
  }

  static ObjectNode credentialJson(ClientCredential credential) {
    ObjectNode node = Json.object();
    node.put("client_id", credential.clientId());
    node.put("client_secret", credential.secret().reveal());
    ArrayNode scopes = node.putArray("scopes");
    credential.scopes().forEach(scopes::add);
    ArrayNode audiences = node.putArray("audiences");
    credential.audiences().forEach(audiences::add);
    return node;
  }

  static ClientCredential credentialFrom(JsonNode node) {
    List<String> scopes = new ArrayList<>();
    node.path("scopes").forEach(s -> scopes.add(s.asString()));
    List<String> audiences = new ArrayList<>();
    node.path("audiences").forEach(s -> audiences.add(s.asString()));
    return new ClientCredential(
        requireNonNull(node.path("client_id").asString(null), "client_id"),
        new ClientSecret(
            requireNonNull(node.path("client_secret").asString(null), "client_secret")),
        scopes,
        audiences);
  }

  /**
   * The operator's workload identity: its SPIFFE ID and one PEM file holding its certificate chain
   * and private key (mode 0600), rewritten at every renewal; {@code curl --cert} takes it as is.
   */
  public record Operator(String spiffeId, Path credentials) {
    public Operator {
      requireNonNull(spiffeId, "spiffeId");
      requireNonNull(credentials, "credentials");
    }
  }
}
