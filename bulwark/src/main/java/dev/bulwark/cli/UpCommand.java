package dev.bulwark.cli;

import dev.bulwark.keys.MasterKey;
import dev.bulwark.platform.BulwarkConfig;
import dev.bulwark.platform.ClientCredential;
import dev.bulwark.platform.DataDirectory;
import dev.bulwark.platform.EmbeddedPlatform;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.platform.UpManifest;
import dev.bulwark.runtime.logging.JsonLogs;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark up}: everything in one process, embedded default, until Ctrl-C or SIGTERM. */
@Command(
    name = "up",
    description = {
      "Start identity, the gateway and the reference services (payments, profiles) in one process,",
      "on loopback, with state in the data directory. Writes DIR/up.json (URLs, CA, credentials).",
      "Stop with Ctrl-C or SIGTERM."
    },
    mixinStandardHelpOptions = true)
final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "bulwark-data",
      description =
          "Data directory (default: ${DEFAULT-VALUE}); created if absent, kept across restarts.")
  Path data;

  @Option(
      names = "--port-base",
      paramLabel = "N",
      description =
          "Gateway port; identity, payments, profiles, gateway-admin, ca, keys and audit take N+1..N+7 (default 8443; 0 = any free ports).")
  Integer portBase;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML config file (optional; BULWARK_* environment variables override it).")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    BulwarkConfig settings = BulwarkConfig.load(Optional.ofNullable(config), System.getenv());
    if (portBase != null) {
      if (portBase != 0 && (portBase < 1 || portBase > BulwarkConfig.MAX_PORT_BASE)) {
        throw new PlatformException(
            "--port-base " + portBase + " is out of range",
            "use 1-" + BulwarkConfig.MAX_PORT_BASE + ", or 0 for any free ports");
      }
      settings = settings.withPortBase(portBase);
    }
    DataDirectory directory = DataDirectory.open(data);
    Path manifestFile = directory.resolve(UpManifest.FILE_NAME);
    deleteQuietly(manifestFile);
    JsonLogs.configure(
        settings.log().console(),
        settings.log().file(),
        Optional.of(directory.resolve("logs/bulwark.log")));
    Logger log = LoggerFactory.getLogger(UpCommand.class);

    MasterKey masterKey = MasterKey.load(System.getenv(), directory.resolve("master.key"));
    EmbeddedPlatform platform;
    try {
      platform = EmbeddedPlatform.start(settings, directory, masterKey, Clock.systemUTC());
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
    if (config != null) {
      // Routes, limits and issuers follow the file while the platform runs.
      platform.watchConfig(config, System.getenv(), settings.gateway().reloadInterval());
    }
    long startupMillis = System.currentTimeMillis() - jvmStart;
    UpManifest manifest = platform.manifest(ProcessHandle.current().pid(), startupMillis);
    try {
      manifest.write(manifestFile);
    } catch (IOException e) {
      platform.close();
      directory.close();
      throw new PlatformException(
          "cannot write " + manifestFile + ": " + e.getMessage(),
          "check the data directory's permissions");
    }
    log.info("bulwark up serving in {} ms; master key from {}", startupMillis, masterKey.origin());

    CountDownLatch stopped = new CountDownLatch(1);
    PrintWriter out = spec.commandLine().getOut();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping");
                  platform.close();
                  deleteQuietly(manifestFile);
                  directory.close();
                  out.println("Bulwark stopped.");
                  out.flush();
                  stopped.countDown();
                },
                "bulwark-shutdown"));
    printSummary(out, manifest, directory.root(), platform.firstStart());
    stopped.await();
    return 0;
  }

  private static void printSummary(
      PrintWriter out, UpManifest manifest, Path dir, boolean firstStart) {
    Path shown = relative(dir);
    out.printf("Bulwark is up (serving %.1f s after launch).%n", manifest.startupMillis() / 1000.0);
    manifest.components().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> out.printf("  %-14s %s%n", e.getKey(), e.getValue()));
    out.printf("  %-14s %s%n", "issuer", manifest.issuer());
    out.printf("CA certificate: %s%n", relative(manifest.caCertificate()));
    out.printf(
        "URLs and credentials: %s (readable only by you)%n", shown.resolve(UpManifest.FILE_NAME));
    if (firstStart) {
      ClientCredential admin = manifest.admin();
      out.printf(
          "Admin client (shown once here, also in up.json): %s / %s%n",
          admin.clientId(), admin.secret().reveal());
    }
    out.println("Try:");
    out.printf("  TOKEN=$(bin/bulwark token --data %s)%n", shown);
    out.printf(
        "  curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/payments%n",
        relative(manifest.caCertificate()), manifest.gatewayUrl());
    out.println("Stop with Ctrl-C.");
    out.flush();
  }

  private static Path relative(Path path) {
    Path cwd = Path.of("").toAbsolutePath();
    return path.startsWith(cwd) ? cwd.relativize(path) : path;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A stale up.json is rewritten on the next start.
    }
  }
}
