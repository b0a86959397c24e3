package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.gateway.GatewaySettings;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.runtime.config.ConfigException;
import dev.bulwark.runtime.config.ConfigSection;
import dev.bulwark.runtime.logging.JsonLogs.LogLevel;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.workload.TrustDomain;
import java.net.URI;
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
 * @param identityStore where the identity provider keeps its state
 * @param gateway the gateway's settings
 * @param gatewayPolicy where the gateway's route policies come from
 * @param gatewayRoutes the gateway's routes and trusted issuers, read once the platform runs
 * @param services the reference services' policy and payment settings
 * @param audit the audit log's settings
 * @param log log levels
 */
public record BulwarkConfig(
    ServerSettings server,
    CaConfig ca,
    IdentitySettings identity,
    IdentityStoreConfig identityStore,
    GatewaySettings gateway,
    GatewayPolicyConfig gatewayPolicy,
    GatewayRoutesSource gatewayRoutes,
    ServicesConfig services,
    AuditConfig audit,
    LogSettings log) {
  /** The highest port base: the listeners take it and the {@value #EXTRA_PORTS} ports above. */
  public static final int MAX_PORT_BASE = 65535 - 8;

  /** How many ports above the base the listeners take. */
  public static final int EXTRA_PORTS = 8;

  public BulwarkConfig {
    requireNonNull(server, "server");
    requireNonNull(ca, "ca");
    requireNonNull(identity, "identity");
    requireNonNull(identityStore, "identityStore");
    requireNonNull(gateway, "gateway");
    requireNonNull(gatewayPolicy, "gatewayPolicy");
    requireNonNull(gatewayRoutes, "gatewayRoutes");
    requireNonNull(services, "services");
    requireNonNull(audit, "audit");
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
    GatewaySettings gateway = GatewaySettings.from(root.section("gateway"));
    Path configDirectory =
        file.map(f -> f.toAbsolutePath().getParent()).orElse(Path.of("").toAbsolutePath());
    BulwarkConfig config =
        new BulwarkConfig(
            ServerSettings.from(root.section("server")),
            CaConfig.from(root.section("ca")),
            IdentitySettings.from(root.section("identity")),
            IdentityStoreConfig.from(root.section("identity")),
            gateway,
            GatewayPolicyConfig.from(root.section("gateway")),
            new GatewayRoutesSource(root.section("gateway"), gateway, configDirectory, env).check(),
            ServicesConfig.from(root.section("services"), root.section("payments")),
            AuditConfig.from(root.section("audit")),
            LogSettings.from(root.section("log")));
    root.rejectUnknownKeys();
    return config;
  }

  /** A copy with the port base replaced (the {@code --port-base} flag wins over the file). */
  public BulwarkConfig withPortBase(int portBase) {
    return new BulwarkConfig(
        new ServerSettings(server.bindAddress(), portBase),
        ca,
        identity,
        identityStore,
        gateway,
        gatewayPolicy,
        gatewayRoutes,
        services,
        audit,
        log);
  }

  /**
   * Where listeners bind ({@code server} section).
   *
   * @param bindAddress the address every listener binds ({@code bind_address}, default 127.0.0.1)
   * @param portBase the gateway's port; identity, payments, profiles, the gateway's admin listener,
   *     the CA, the keys service, the audit collector and the policy store take the next eight
   *     ({@code port_base}, default 8443; 0 picks free ports)
   */
  public record ServerSettings(String bindAddress, int portBase) {
    private static final Pattern ADDRESS =
        Pattern.compile("localhost|\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]+");

    public ServerSettings {
      requireNonNull(bindAddress, "bindAddress");
      if (portBase != 0 && (portBase < 1 || portBase > MAX_PORT_BASE)) {
        throw new IllegalArgumentException(
            "portBase: " + portBase + " (expected: 0, or 1-" + MAX_PORT_BASE + ")");
      }
    }

    static ServerSettings from(ConfigSection section) {
      return new ServerSettings(
          section.string(
              "bind_address", "127.0.0.1", ADDRESS, "an IP address literal or localhost"),
          section.integer("port_base", 8443, 0, MAX_PORT_BASE));
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
   * The central audit log ({@code audit} section).
   *
   * @param store where records are kept: {@code file} under {@code DIR/audit} (default) or {@code
   *     postgresql}
   * @param postgresqlUrl the JDBC URL when {@code store} is {@code postgresql} ({@code
   *     postgresql_url}; set it through {@code BULWARK_AUDIT_POSTGRESQL_URL} if it holds a
   *     password)
   * @param checkpointInterval how often a signed tree head is written ({@code checkpoint_interval},
   *     default 10s)
   * @param alertWebhook where alerts are posted besides the log ({@code alert_webhook}, an https
   *     URL, optional)
   * @param bruteForceThreshold failed logins for one account or address that raise an alert ({@code
   *     brute_force_threshold}, default 10 within {@code brute_force_window}, default 5m)
   * @param bruteForceWindow see {@code bruteForceThreshold}
   * @param denialSpikeThreshold 401/403 responses that raise an alert ({@code
   *     denial_spike_threshold}, default 100 within {@code denial_spike_window}, default 1m)
   * @param denialSpikeWindow see {@code denialSpikeThreshold}
   */
  public record AuditConfig(
      AuditStore store,
      Optional<String> postgresqlUrl,
      Duration checkpointInterval,
      Optional<URI> alertWebhook,
      int bruteForceThreshold,
      Duration bruteForceWindow,
      int denialSpikeThreshold,
      Duration denialSpikeWindow) {
    static final Pattern JDBC_POSTGRESQL = Pattern.compile("jdbc:postgresql://\\S+");

    public AuditConfig {
      requireNonNull(store, "store");
      requireNonNull(postgresqlUrl, "postgresqlUrl");
      requireNonNull(checkpointInterval, "checkpointInterval");
      requireNonNull(alertWebhook, "alertWebhook");
      requireNonNull(bruteForceWindow, "bruteForceWindow");
      requireNonNull(denialSpikeWindow, "denialSpikeWindow");
      if (store == AuditStore.POSTGRESQL && postgresqlUrl.isEmpty()) {
        throw new IllegalArgumentException(
            "audit.postgresql_url: missing (expected: a jdbc:postgresql:// URL when audit.store"
                + " is postgresql)");
      }
    }

    static AuditConfig from(ConfigSection section) {
      AuditStore store = section.choice("store", AuditStore.class, AuditStore.FILE);
      Optional<String> url =
          section.optionalString(
              "postgresql_url", JDBC_POSTGRESQL, "a jdbc:postgresql:// URL with no spaces");
      if (store == AuditStore.POSTGRESQL && url.isEmpty()) {
        throw new ConfigException(
            "audit.postgresql_url",
            "audit.postgresql_url: missing (expected: a jdbc:postgresql:// URL when audit.store"
                + " is postgresql)");
      }
      return new AuditConfig(
          store,
          url,
          section.duration(
              "checkpoint_interval",
              Duration.ofSeconds(10),
              Duration.ofMillis(100),
              Duration.ofHours(1)),
          section.httpsUrl("alert_webhook"),
          section.integer("brute_force_threshold", 10, 2, 1_000_000),
          section.duration(
              "brute_force_window",
              Duration.ofMinutes(5),
              Duration.ofSeconds(1),
              Duration.ofDays(1)),
          section.integer("denial_spike_threshold", 100, 2, 100_000_000),
          section.duration(
              "denial_spike_window",
              Duration.ofMinutes(1),
              Duration.ofSeconds(1),
              Duration.ofDays(1)));
    }

    /** The defaults, as an empty {@code audit} section gives them. */
    public static AuditConfig defaults() {
      return new AuditConfig(
          AuditStore.FILE,
          Optional.empty(),
          Duration.ofSeconds(10),
          Optional.empty(),
          10,
          Duration.ofMinutes(5),
          100,
          Duration.ofMinutes(1));
    }
  }

  /**
   * Where the gateway's route policies come from (keys {@code policy_*} of the {@code gateway}
   * section).
   *
   * @param source {@code store} (default: the platform's policy store, set {@code gateway}), {@code
   *     directory} (the {@code *.cedar} files in {@code policy_directory}) or {@code reference}
   *     (the built-in reference policy, no reloads)
   * @param directory the directory when {@code source} is {@code directory}
   * @param pollInterval how often the source is checked for a new set ({@code
   *     policy_poll_interval}, default 5s)
   */
  public record GatewayPolicyConfig(
      GatewayPolicySource source, Optional<Path> directory, Duration pollInterval) {
    private static final Pattern PATH = Pattern.compile("\\S(.*\\S)?");

    public GatewayPolicyConfig {
      requireNonNull(source, "source");
      requireNonNull(directory, "directory");
      requireNonNull(pollInterval, "pollInterval");
    }

    static GatewayPolicyConfig from(ConfigSection section) {
      GatewayPolicySource source =
          section.choice("policy_source", GatewayPolicySource.class, GatewayPolicySource.STORE);
      Optional<Path> directory =
          section.optionalString("policy_directory", PATH, "a directory path").map(Path::of);
      if (source == GatewayPolicySource.DIRECTORY && directory.isEmpty()) {
        throw new ConfigException(
            "gateway.policy_directory",
            "gateway.policy_directory: missing (expected: a directory of *.cedar files when"
                + " gateway.policy_source is directory)");
      }
      return new GatewayPolicyConfig(
          source,
          directory,
          section.duration(
              "policy_poll_interval",
              Duration.ofSeconds(5),
              Duration.ofMillis(100),
              Duration.ofHours(1)));
    }
  }

  /**
   * The reference services' settings: how they follow their policy sets in the policy store ({@code
   * services} section) and the payments refund limit ({@code payments} section).
   *
   * @param policyPollInterval how often payments and profiles ask the policy store for a new set
   *     ({@code services.policy_poll_interval}, default 5s, 100ms to 1h)
   * @param refundLimit the largest refund the payments policy may allow, in minor units of the
   *     payment's currency ({@code payments.refund_limit}, default 100000, i.e. 1,000.00; 0 to
   *     {@value #MAX_REFUND_LIMIT})
   */
  public record ServicesConfig(Duration policyPollInterval, long refundLimit) {
    /** The largest refund limit: the largest payment the payments service accepts, in cents. */
    public static final int MAX_REFUND_LIMIT = 100_000_000;

    public ServicesConfig {
      requireNonNull(policyPollInterval, "policyPollInterval");
      if (refundLimit < 0 || refundLimit > MAX_REFUND_LIMIT) {
        throw new IllegalArgumentException(
            "refundLimit: " + refundLimit + " (expected: 0 to " + MAX_REFUND_LIMIT + ")");
      }
    }

    static ServicesConfig from(ConfigSection services, ConfigSection payments) {
      return new ServicesConfig(
          services.duration(
              "policy_poll_interval",
              Duration.ofSeconds(5),
              Duration.ofMillis(100),
              Duration.ofHours(1)),
          payments.integer(
              "refund_limit",
              (int) PaymentsService.DEFAULT_REFUND_LIMIT_CENTS,
              0,
              MAX_REFUND_LIMIT));
    }
  }

  /** Where the gateway's route policies come from. */
  public enum GatewayPolicySource {
    STORE,
    DIRECTORY,
    REFERENCE
  }

  /**
   * Where the identity provider keeps users, clients, sessions, tokens and keys ({@code identity}
   * section): the embedded H2 database under {@code DIR/identity} by default, or PostgreSQL.
   *
   * @param postgresqlUrl the JDBC URL of a PostgreSQL database ({@code postgresql_url}; set it
   *     through {@code BULWARK_IDENTITY_POSTGRESQL_URL} if it holds a password)
   */
  public record IdentityStoreConfig(Optional<String> postgresqlUrl) {
    public IdentityStoreConfig {
      requireNonNull(postgresqlUrl, "postgresqlUrl");
    }

    static IdentityStoreConfig from(ConfigSection section) {
      return new IdentityStoreConfig(
          section.optionalString(
              "postgresql_url",
              AuditConfig.JDBC_POSTGRESQL,
              "a jdbc:postgresql:// URL with no spaces"));
    }

    /** The database settings: PostgreSQL if configured, else H2 files under {@code directory}. */
    public DatabaseSettings database(Path directory) {
      return postgresqlUrl
          .map(DatabaseSettings::postgresql)
          .orElseGet(() -> DatabaseSettings.embedded(directory, "identity"));
    }
  }

  /** Where the audit log keeps its records. */
  public enum AuditStore {
    FILE,
    POSTGRESQL
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
