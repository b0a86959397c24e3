package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.runtime.config.ConfigSection;
import dev.bulwark.runtime.logging.JsonLogs.LogLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bulwark's whole configuration, typed: one YAML file (optional for {@code bulwark up}) plus {@code
 * BULWARK_*} environment overrides, validated before anything starts.
 *
 * @param server where the listeners bind and how long their certificates live
 * @param identity the identity provider's settings
 * @param gateway the gateway's settings
 * @param log log levels
 */
public record BulwarkConfig(
    ServerSettings server, IdentitySettings identity, GatewaySettings gateway, LogSettings log) {
  public BulwarkConfig {
    requireNonNull(server, "server");
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
            IdentitySettings.from(root.section("identity")),
            GatewaySettings.from(root.section("gateway")),
            LogSettings.from(root.section("log")));
    root.rejectUnknownKeys();
    return config;
  }

  /** A copy with the port base replaced (the {@code --port-base} flag wins over the file). */
  public BulwarkConfig withPortBase(int portBase) {
    return new BulwarkConfig(
        new ServerSettings(server.bindAddress(), portBase, server.certificateTtl()),
        identity,
        gateway,
        log);
  }

  /**
   * Where listeners bind ({@code server} section).
   *
   * @param bindAddress the address every listener binds ({@code bind_address}, default 127.0.0.1)
   * @param portBase the gateway's port; identity, payments, profiles and the gateway's admin
   *     listener take the next four ({@code port_base}, default 8443; 0 picks free ports)
   * @param certificateTtl lifetime of the listeners' TLS certificates, renewed at two thirds of it
   *     ({@code certificate_ttl}, default 24h)
   */
  public record ServerSettings(String bindAddress, int portBase, Duration certificateTtl) {
    private static final Pattern ADDRESS =
        Pattern.compile("localhost|\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]+");

    public ServerSettings {
      requireNonNull(bindAddress, "bindAddress");
      requireNonNull(certificateTtl, "certificateTtl");
      if (portBase != 0 && (portBase < 1 || portBase > 65531)) {
        throw new IllegalArgumentException("portBase: " + portBase + " (expected: 0, or 1-65531)");
      }
    }

    static ServerSettings from(ConfigSection section) {
      return new ServerSettings(
          section.string(
              "bind_address", "127.0.0.1", ADDRESS, "an IP address literal or localhost"),
          section.integer("port_base", 8443, 0, 65531),
          section.duration(
              "certificate_ttl", Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(30)));
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
