package dev.bulwark.platform;

import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.examples.profiles.ProfilesService;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityProvider;
import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The clients {@code bulwark up} registers on first start: an administrator and two demo clients.
 * Their secrets are kept sealed in the data directory so that every start can write them to {@code
 * up.json} again; the identity provider itself keeps only their hashes.
 */
final class BootstrapClients {
  static final String ADMIN = "bulwark-admin";

  /** The context the credentials are sealed for. */
  public static final String CONTEXT = "bulwark/bootstrap-credentials";

  /** Where the credentials are kept, in the data directory. */
  public static final String FILE_NAME = "bootstrap-credentials.sealed";

  private static final List<ClientRegistration> DEMO_CLIENTS =
      List.of(
          new ClientRegistration(
              "demo-shop",
              "Demo shop: pays and keeps a profile",
              Set.of("payments:read", "payments:write", "profiles:read", "profiles:write"),
              Set.of(PaymentsService.AUDIENCE, ProfilesService.AUDIENCE)),
          new ClientRegistration(
              "demo-finance",
              "Demo finance back office: reads and refunds payments",
              Set.of("payments:read", "payments:refund"),
              Set.of(PaymentsService.AUDIENCE)));

  /** The role that lets a token call the identity admin API. */
  static final String IDENTITY_ADMIN_ROLE = "identity-admin";

  static final ClientRegistration ADMIN_CLIENT =
      ClientRegistration.builder(ADMIN, "Bulwark administrator")
          .scopes(Set.of("bulwark:admin"))
          .audiences(Set.of("urn:bulwark:admin"))
          .roles(Set.of(IDENTITY_ADMIN_ROLE))
          .build();

  private BootstrapClients() {}

  /** The credentials, and whether this start created them. */
  record Credentials(ClientCredential admin, List<ClientCredential> demoClients, boolean created) {}

  /**
   * The bootstrap credentials, created on first start. The sealed file is written before any client
   * is registered, and every start registers whatever is missing, so a first start interrupted
   * half-way is completed by the next one.
   */
  static Credentials ensure(IdentityProvider identity, Path sealedFile, SecretSealer sealer) {
    try {
      Credentials credentials;
      if (Files.exists(sealedFile)) {
        credentials = read(Files.readAllBytes(sealedFile), sealer);
      } else {
        if (identity.hasClient(ADMIN)) {
          throw new PlatformException(
              "the bootstrap credentials file " + sealedFile + " is missing but its clients exist",
              "restore the file from a backup, or start afresh with an empty --data directory");
        }
        List<ClientCredential> demos = new ArrayList<>();
        DEMO_CLIENTS.forEach(
            registration -> demos.add(credential(registration, ClientSecret.generate())));
        credentials =
            new Credentials(
                credential(ADMIN_CLIENT, ClientSecret.generate()), List.copyOf(demos), true);
        DataDirectory.writePrivate(
            sealedFile, sealer.seal(Json.bytes(toJson(credentials)), CONTEXT));
      }
      registerMissing(identity, ADMIN_CLIENT, credentials.admin());
      for (ClientRegistration registration : DEMO_CLIENTS) {
        credentials.demoClients().stream()
            .filter(c -> c.clientId().equals(registration.clientId()))
            .findFirst()
            .ifPresent(c -> registerMissing(identity, registration, c));
      }
      return credentials;
    } catch (IOException e) {
      throw new PlatformException(
          "cannot read or write " + sealedFile + ": " + e.getMessage(),
          "check the data directory's permissions");
    } catch (KeysException e) {
      throw new PlatformException(
          "cannot open " + sealedFile + ": " + e.getMessage(),
          "start with the master key this data directory was created with ("
              + dev.bulwark.keys.MasterKey.ENVIRONMENT_VARIABLE
              + " or master.key)");
    }
  }

  private static void registerMissing(
      IdentityProvider identity, ClientRegistration registration, ClientCredential credential) {
    java.util.Optional<ClientRegistration> existing = identity.client(registration.clientId());
    if (existing.isEmpty()) {
      identity.registerClient(registration, credential.secret());
    } else if (!existing.get().roles().containsAll(registration.roles())) {
      // Data directories from before the admin API: the admin client gains its role, keeping
      // its secret.
      java.util.Set<String> roles = new TreeSet<>(existing.get().roles());
      roles.addAll(registration.roles());
      identity.updateClient(existing.get().toBuilder().roles(roles).build());
    }
  }

  private static ClientCredential credential(ClientRegistration registration, ClientSecret secret) {
    return new ClientCredential(
        registration.clientId(),
        secret,
        List.copyOf(new TreeSet<>(registration.scopes())),
        List.copyOf(new TreeSet<>(registration.audiences())));
  }

  private static ObjectNode toJson(Credentials credentials) {
    ObjectNode root = Json.object();
    root.set("admin", UpManifest.credentialJson(credentials.admin()));
    ArrayNode demos = root.putArray("demo_clients");
    credentials.demoClients().forEach(c -> demos.add(UpManifest.credentialJson(c)));
    return root;
  }

  private static Credentials read(byte[] sealed, SecretSealer sealer) {
    JsonNode root = Json.MAPPER.readTree(sealer.open(sealed, CONTEXT));
    List<ClientCredential> demos = new ArrayList<>();
    root.path("demo_clients").forEach(node -> demos.add(UpManifest.credentialFrom(node)));
    return new Credentials(
        UpManifest.credentialFrom(root.path("admin")), List.copyOf(demos), false);
  }
}
