package dev.bulwark.cli;

import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.platform.BulwarkConfig;
import dev.bulwark.platform.CaHierarchy;
import dev.bulwark.platform.DataDirectory;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.platform.PlatformSecrets;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code bulwark ca}: the workload certificate authority. */
@Command(
    name = "ca",
    description = "Manage the workload CA: its hierarchy, join tokens and revocations.",
    mixinStandardHelpOptions = true,
    subcommands = {
      CaCommand.Init.class,
      CaCommand.Show.class,
      CaCommand.JoinToken.class,
      CaCommand.Revoke.class,
      CaCommand.RotateIntermediate.class,
      CaCommand.RotateRoot.class
    })
final class CaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return BulwarkCommand.missingSubcommand(spec, "a subcommand");
  }

  /** Options every offline subcommand shares. */
  static class DataOption {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "bulwark-data",
        description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;

    // The master key of this data directory, as 'bulwark up' finds it.
    MasterKey masterKey(DataDirectory directory) {
      return MasterKey.load(System.getenv(), directory.resolve("master.key"));
    }

    // The sealer of the platform's secrets, as 'bulwark up' uses it.
    SecretSealer sealer(DataDirectory directory) {
      return PlatformSecrets.open(directory, masterKey(directory), Clock.systemUTC()).sealer();
    }
  }

  @Command(
      name = "init",
      description = {
        "Create the CA: a root and an intermediate (ECDSA P-256) in DIR/ca.",
        "With --root-key-out the root's key is written there instead, to be kept offline;",
        "the running CA needs only the intermediate."
      },
      mixinStandardHelpOptions = true)
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @Option(
        names = "--trust-domain",
        paramLabel = "NAME",
        defaultValue = "bulwark.local",
        description = "SPIFFE trust domain (default: ${DEFAULT-VALUE}).")
    String trustDomain;

    @Option(
        names = "--root-key-out",
        paramLabel = "FILE",
        description = "Write the root's sealed key to FILE (e.g. removable media), not DIR/ca.")
    Path rootKeyOut;

    @Override
    public Integer call() {
      TrustDomain domain = trustDomain(trustDomain);
      try (DataDirectory directory = DataDirectory.open(options.data)) {
        CaHierarchy hierarchy =
            CaHierarchy.init(
                directory.resolve("ca"),
                options.sealer(directory),
                domain,
                Optional.ofNullable(rootKeyOut),
                Clock.systemUTC());
        Duration svidTtl = Duration.ofHours(1);
        hierarchy.writeBundlePem(hierarchy.bundle(svidTtl));
        PrintWriter out = spec.commandLine().getOut();
        hierarchy.describe(svidTtl).forEach(out::println);
        out.printf("Trust bundle (for curl --cacert): %s%n", hierarchy.bundlePem());
        if (rootKeyOut != null) {
          out.printf(
              "Root key sealed into %s: keep it offline; rotation needs it (--root-key).%n",
              rootKeyOut);
        }
        return 0;
      }
    }
  }

  @Command(
      name = "show",
      description = "Print the CA hierarchy: roots, intermediates, what the trust bundle holds.",
      mixinStandardHelpOptions = true)
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @Override
    public Integer call() {
      Path ca = options.data.resolve("ca");
      if (!CaHierarchy.exists(ca)) {
        throw new PlatformException(
            "no CA in " + ca, "create one with 'bulwark ca init' or 'bulwark up'");
      }
      // Reading certificates needs no key: this works while 'bulwark up' runs.
      CaHierarchy hierarchy = CaHierarchy.inspect(ca, Clock.systemUTC());
      hierarchy.describe(svidTtl(options.data)).forEach(spec.commandLine().getOut()::println);
      return 0;
    }
  }

  @Command(
      name = "join-token",
      description = {
        "Create a single-use join token with which a workload obtains its first SVID.",
        "Needs a running 'bulwark up'; authenticates as its operator."
      },
      mixinStandardHelpOptions = true)
  static final class JoinToken implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @Option(
        names = "--spiffe-id",
        paramLabel = "ID",
        required = true,
        description = "The SPIFFE ID the token may be redeemed for.")
    String spiffeId;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        description = "How long the token stays valid (default: ca.join_token_ttl; at most 24h).")
    String ttl;

    @Option(
        names = "--dns",
        paramLabel = "NAME",
        description = "A DNS name the SVID also carries; repeatable.")
    List<String> dnsNames = new ArrayList<>();

    @Option(
        names = "--ip",
        paramLabel = "ADDRESS",
        description = "An IP address the SVID also carries; repeatable.")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--json", description = "Print the whole answer as JSON.")
    boolean json;

    @Override
    public Integer call() {
      SpiffeId id = spiffeId(spiffeId);
      Optional<Duration> lifetime = Optional.ofNullable(ttl).map(t -> duration("--ttl", t));
      for (String address : addresses) {
        try {
          InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
          throw new PlatformException(
              "--ip " + address + " is not an IP address", "give an IPv4 or IPv6 literal");
        }
      }
      OperatorConnection connection = new OperatorConnection(options.data);
      ObjectNode body = Json.object().put("spiffe_id", id.toString());
      lifetime.ifPresent(t -> body.put("ttl_seconds", t.toSeconds()));
      ArrayNode dns = body.putArray("dns_names");
      dnsNames.forEach(dns::add);
      ArrayNode ips = body.putArray("ip_addresses");
      addresses.forEach(ips::add);
      JsonNode answer =
          connection.call(
              "POST",
              connection.component("ca").resolve("/v1/admin/join-tokens"),
              Optional.of(body.toString()));
      spec.commandLine()
          .getOut()
          .println(json ? answer.toString() : answer.path("token").asString());
      return 0;
    }
  }

  @Command(
      name = "revoke",
      description = {
        "Revoke a workload (every SVID naming its SPIFFE ID, now and later) or one certificate.",
        "Every SDK refuses it on its next handshake, once it has fetched the new deny list."
      },
      mixinStandardHelpOptions = true)
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
      @Option(names = "--spiffe-id", paramLabel = "ID", description = "Revoke this workload.")
      String spiffeId;

      @Option(
          names = "--serial",
          paramLabel = "HEX",
          description = "Revoke the certificate with this serial number (hexadecimal).")
      String serial;
    }

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        defaultValue = "revoked by the operator",
        description = "Why, for the audit trail.")
    String reason;

    @Override
    public Integer call() {
      ObjectNode body = Json.object().put("reason", reason);
      if (target.spiffeId != null) {
        body.put("spiffe_id", spiffeId(target.spiffeId).toString());
      } else {
        if (!target.serial.matches("[0-9a-fA-F]{1,40}")) {
          throw new PlatformException(
              "--serial " + target.serial + " is not a hexadecimal serial number",
              "copy it from 'openssl x509 -serial' or the audit log");
        }
        body.put("serial", target.serial.toLowerCase(java.util.Locale.ROOT));
      }
      OperatorConnection connection = new OperatorConnection(options.data);
      JsonNode denyList =
          connection.call(
              "POST",
              connection.component("ca").resolve("/v1/admin/revocations"),
              Optional.of(body.toString()));
      spec.commandLine()
          .getOut()
          .printf(
              "Revoked. Deny list sequence %d: %d identities, %d serials.%n",
              denyList.path("sequence").asLong(),
              denyList.path("spiffe_ids").size(),
              denyList.path("serials").size());
      return 0;
    }
  }

  @Command(
      name = "rotate-intermediate",
      description = {
        "Issue a new intermediate under the current root, active at once.",
        "'bulwark up' does this itself when a third of the intermediate's life is left and the",
        "root key is in DIR/ca. Run it with 'bulwark up' stopped."
      },
      mixinStandardHelpOptions = true)
  static final class RotateIntermediate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @Option(
        names = "--root-key",
        paramLabel = "FILE",
        description = "The root's sealed key, if it is kept offline.")
    Path rootKey;

    @Override
    public Integer call() {
      try (DataDirectory directory = DataDirectory.open(options.data)) {
        CaHierarchy hierarchy =
            loaded(directory, options).rotateIntermediate(Optional.ofNullable(rootKey));
        hierarchy.describe(svidTtl(options.data)).forEach(spec.commandLine().getOut()::println);
        return 0;
      }
    }
  }

  @Command(
      name = "rotate-root",
      description = {
        "Create a new root. It joins the trust bundle now; the intermediate under it signs SVIDs",
        "only after --overlap, so every workload has the new bundle first. The old root leaves",
        "the bundle once the last SVID it signed has expired. Run it with 'bulwark up' stopped."
      },
      mixinStandardHelpOptions = true)
  static final class RotateRoot implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin DataOption options = new DataOption();

    @Option(
        names = "--overlap",
        paramLabel = "DURATION",
        defaultValue = "1h",
        description =
            "How long the new root is trusted before it signs (default: ${DEFAULT-VALUE}).")
    String overlap;

    @Option(
        names = "--root-key-out",
        paramLabel = "FILE",
        description = "Write the new root's sealed key to FILE instead of DIR/ca.")
    Path rootKeyOut;

    @Override
    public Integer call() {
      Duration wait = duration("--overlap", overlap);
      try (DataDirectory directory = DataDirectory.open(options.data)) {
        CaHierarchy hierarchy =
            loaded(directory, options).rotateRoot(wait, Optional.ofNullable(rootKeyOut));
        Duration svidTtl = svidTtl(options.data);
        hierarchy.writeBundlePem(hierarchy.bundle(svidTtl));
        hierarchy.describe(svidTtl).forEach(spec.commandLine().getOut()::println);
        return 0;
      }
    }
  }

  private static CaHierarchy loaded(DataDirectory directory, DataOption options) {
    Path ca = directory.resolve("ca");
    if (!CaHierarchy.exists(ca)) {
      throw new PlatformException(
          "no CA in " + ca, "create one with 'bulwark ca init' or 'bulwark up'");
    }
    return CaHierarchy.load(ca, options.sealer(directory), Clock.systemUTC());
  }

  // The SVID lifetime decides when a retired root may leave the bundle; it comes from the same
  // configuration 'bulwark up' reads.
  private static Duration svidTtl(Path data) {
    return BulwarkConfig.load(Optional.empty(), System.getenv()).ca().svidTtl();
  }

  private static TrustDomain trustDomain(String value) {
    try {
      return TrustDomain.of(value);
    } catch (IllegalArgumentException e) {
      throw new PlatformException(
          "--trust-domain: " + e.getMessage(), "use lowercase letters, digits, '.', '-', '_'");
    }
  }

  private static SpiffeId spiffeId(String value) {
    try {
      return SpiffeId.parse(value);
    } catch (IllegalArgumentException e) {
      throw new PlatformException(
          "--spiffe-id: " + e.getMessage(), "write it as spiffe://<trust-domain>/<path>");
    }
  }

  private static Duration duration(String option, String value) {
    try {
      return dev.bulwark.runtime.config.Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new PlatformException(
          option + " " + value + " is not a duration", "write it like 30s, 10m, 2h or 1d");
    }
  }
}
