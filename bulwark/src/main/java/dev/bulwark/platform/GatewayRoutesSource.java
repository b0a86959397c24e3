package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.GatewayRoutes;
import dev.bulwark.gateway.GatewayRoutesConfig;
import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.gateway.RouteSpec;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.runtime.config.ConfigSection;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's routes and issuers as the config file gives them ({@code gateway.routes}, {@code
 * gateway.issuers}). They can only be built once the platform knows where its services listen and
 * which issuer it runs, so the file's section is kept and read then; {@link #check} reads it once
 * at load time with stand-ins, so a bad route stops start-up like any other bad key.
 */
public final class GatewayRoutesSource {
  private static final URI STAND_IN = URI.create("https://127.0.0.1:1");

  private final ConfigSection section;
  private final GatewaySettings settings;
  private final Path configDirectory;
  private final Map<String, String> env;

  GatewayRoutesSource(
      ConfigSection section,
      GatewaySettings settings,
      Path configDirectory,
      Map<String, String> env) {
    this.section = requireNonNull(section, "section");
    this.settings = requireNonNull(settings, "settings");
    this.configDirectory = requireNonNull(configDirectory, "configDirectory");
    this.env = Map.copyOf(env);
  }

  /**
   * The routes and issuers, with the platform's services, its own issuer, and the reference routes
   * for a file that lists none.
   */
  public GatewayRoutes read(
      Map<String, URI> services, TrustedIssuer platformIssuer, List<RouteSpec> referenceRoutes) {
    return GatewayRoutesConfig.read(
        section,
        settings,
        new GatewayRoutesConfig.Context(
            configDirectory,
            name -> Optional.ofNullable(services.get(name)),
            List.of(platformIssuer),
            referenceRoutes,
            env));
  }

  /** Reads the section once with stand-ins for what only the running platform knows. */
  GatewayRoutesSource check() {
    Map<String, URI> services =
        Map.of(ReferenceRoutes.PAYMENTS, STAND_IN, ReferenceRoutes.PROFILES, STAND_IN);
    read(
        services,
        TrustedIssuer.ofJwts("https://bulwark.invalid", STAND_IN, Set.of("ES256")),
        ReferenceRoutes.of(services, settings));
    return this;
  }
}
