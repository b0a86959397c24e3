package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.runtime.config.ConfigSection;
import dev.bulwark.runtime.logging.JsonLogs.LogLevel;
import dev.bulwark.sdk.workload.TrustDomain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bulwark's whole configuration, typed: one YAML file (optional for {@code bulwark up}) plus {@code
 * BULWARK_*} environment overrides, validated before anything starts.
 *
 * @param server where the listeners bind
 * @param ca the workload CA's settings
 * @param identity the identity provider's settings
 * @param gateway the gateway's settings
 * @param log log levels
 */
public record BulwarkConfig(
    ServerSettings server,
    CaConfig ca,
    IdentitySettings identity,
    GatewaySettings gateway,
    LogSettings log) {
  public BulwarkConfig {
    requireNonNull(server, "server");
    requireNonNull(ca, "ca");
    requireNonNull(identity, "identity");
    requireNonNull(gateway, "gateway");
    requireNonNull(log, "log");
  }

  /**
   * Reads the configuration; every bad or unknown key fails with a {@link
   * dev.bulwark.runtime.config.ConfigException} naming it.
   */
  public static BulwarkConfig load(Optional<Path> file, Map<String, String> env) {
    ConfigSection root =
        file.map(f -> ConfigSection.load(f, env))
            .orElseGet(() -> ConfigSection.fromEnvironment(env));
    BulwarkConfig config =
        new BulwarkConfig(
            ServerSettings.from(root.section("server")),
            CaConfig.from(root.section("ca")),
            IdentitySettings.from(root.section("identity")),
            GatewaySettings.from(root.section("gateway")),
            LogSettings.from(root.section("log")));
    root.rejectUnknownKeys();
    return config;
  }

  /** A copy with the port base replaced (the {@code --port-base} flag wins over the file). */
  public BulwarkConfig withPortBase(int portBase) {
    return new BulwarkConfig(
        new ServerSettings(server.bindAddress(), portBase), ca, identity, gateway, log);
  }

  /**
   * Where listeners bind ({@code server} section).
   *
   * @param bindAddress the address every listener binds ({@code bind_address}, default 127.0.0.1)
   * @param portBase the gateway's port; identity, payments, profiles, the gateway's admin listener
   *     and the CA take the next five ({@code port_base}, default 8443; 0 picks free ports)
   */
  public record ServerSettings(String bindAddress, int portBase) {
    private static final Pattern ADDRESS =
        Pattern.compile("localhost|\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]+");

    public ServerSettings {
      requireNonNull(bindAddress, "bindAddress");
      if (portBase != 0 && (portBase < 1 || portBase > 65530)) {
        throw new IllegalArgumentException("portBase: " + portBase + " (expected: 0, or 1-65530)");
      }
    }

    static ServerSettings from(ConfigSection section) {
      return new ServerSettings(
          section.string(
              "bind_address", "127.0.0.1", ADDRESS, "an IP address literal or localhost"),
          section.integer("port_base", 8443, 0, 65530));
    }
  }

  /**
   * The workload CA ({@code ca} section).
   *
   * @param trustDomain the SPIFFE trust domain of every workload ({@code trust_domain}, default
   *     {@code bulwark.local}); fixed when the CA is created
   * @param svidTtl lifetime of each X.509-SVID, renewed at half of it ({@code svid_ttl}, default
   *     1h, from 5s to 7d)
   * @param joinTokenTtl lifetime of join tokens ({@code join_token_ttl}, default 10m, at most 24h)
   */
  public record CaConfig(TrustDomain trustDomain, Duration svidTtl, Duration joinTokenTtl) {
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");

    public CaConfig {
      requireNonNull(trustDomain, "trustDomain");
      requireNonNull(svidTtl, "svidTtl");
      requireNonNull(joinTokenTtl, "joinTokenTtl");
    }

    static CaConfig from(ConfigSection section) {
      return new CaConfig(
          TrustDomain.of(
              section.string(
                  "trust_domain",
                  "bulwark.local",
                  TRUST_DOMAIN,
                  "a SPIFFE trust domain: lowercase letters, digits, '.', '-', '_'")),
          section.duration(
              "svid_ttl", Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofDays(7)),
          section.duration(
              "join_token_ttl",
              Duration.ofMinutes(10),
              Duration.ofSeconds(1),
              Duration.ofHours(24)));
    }
  }

  /**
   * Log levels ({@code log} section).
   *
   * @param console what reaches standard error ({@code console_level}, default warn)
   * @param file what reaches {@code DIR/logs/bulwark.log} ({@code file_level}, default info)
   */
  public record LogSettings(LogLevel console, LogLevel file) {
    public LogSettings {
      requireNonNull(console, "console");
      requireNonNull(file, "file");
    }

    static LogSettings from(ConfigSection section) {
      return new LogSettings(
          section.choice("console_level", LogLevel.class, LogLevel.WARN),
          section.choice("file_level", LogLevel.class, LogLevel.INFO));
    }
  }
}
