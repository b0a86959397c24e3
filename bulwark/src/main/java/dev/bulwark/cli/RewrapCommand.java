package dev.bulwark.cli;

import dev.bulwark.keys.RewrapJob;
import dev.bulwark.keys.SealedRecords;
import dev.bulwark.platform.BulwarkConfig;
import dev.bulwark.platform.DataDirectory;
import dev.bulwark.platform.PlatformSecrets;
import dev.bulwark.runtime.storage.Database;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark keys rewrap}: moves every secret the platform keeps onto the current version of
 * its key ring, so older versions can be disabled and destroyed. Offline, because identity's
 * embedded database admits one process; resumable, because it checkpoints after every page.
 */
@Command(
    name = "rewrap",
    description = {
      "Re-wrap every sealed value of a stopped 'bulwark up' data directory (CA keys, identity's",
      "signing keys, bootstrap credentials, the audit checkpoint key) under the current version",
      "of the "
          + PlatformSecrets.RING
          + " ring. Shows progress; if stopped, run it again to go on.",
      "The payloads are not decrypted: only their data keys are wrapped anew."
    },
    mixinStandardHelpOptions = true)
final class RewrapCommand implements Callable<Integer> {
  static final String CHECKPOINT_FILE = "keys/rewrap.checkpoint";

  @Spec CommandSpec spec;
  @picocli.CommandLine.Mixin CaCommand.DataOption options = new CaCommand.DataOption();

  @Option(
      names = "--page-size",
      paramLabel = "N",
      defaultValue = "100",
      description = "Values read and checkpointed at a time (default: ${DEFAULT-VALUE}).")
  int pageSize;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The YAML config 'bulwark up' runs with, if any: it says where identity keeps its state"
              + " (identity.postgresql_url); BULWARK_* environment variables override it.")
  Path config;

  @Override
  public Integer call() {
    Path data = options.data;
    if (pageSize < 1 || pageSize > 10_000) {
      throw new dev.bulwark.platform.PlatformException(
          "--page-size " + pageSize + " is out of range", "use 1 to 10000");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (DataDirectory directory = DataDirectory.open(data)) {
      PlatformSecrets secrets =
          PlatformSecrets.open(directory, options.masterKey(directory), Clock.systemUTC());
      Path identityFiles = directory.resolve("identity");
      BulwarkConfig.IdentityStoreConfig store =
          BulwarkConfig.load(Optional.ofNullable(config), System.getenv()).identityStore();
      // Identity's database exists once 'bulwark up' has run (in PostgreSQL if configured); a CA
      // made by 'bulwark ca init' alone has none.
      Optional<Database> identity =
          store.postgresqlUrl().isPresent() || Files.isDirectory(identityFiles)
              ? Optional.of(Database.open(store.database(identityFiles), "rewrap"))
              : Optional.empty();
      try {
        List<SealedRecords> sources =
            PlatformSecrets.sealedValues(directory, identity.map(Database::dataSource));
        Bars bars = new Bars();
        RewrapJob.Result result;
        try {
          result =
              RewrapJob.builder(secrets.sealer(), directory.resolve(CHECKPOINT_FILE))
                  .source(sources.toArray(SealedRecords[]::new))
                  .pageSize(pageSize)
                  .progress(bars::update)
                  .build()
                  .run();
        } finally {
          bars.close();
        }
        out.printf(
            "%s is at version %d: %d values re-wrapped, %d already current, %d changed meanwhile"
                + " (run again), %d unreadable%n",
            PlatformSecrets.RING,
            secrets.rings().ring(PlatformSecrets.RING).primaryVersion(),
            result.rewrapped(),
            result.alreadyCurrent(),
            result.conflicts(),
            result.unreadable());
        if (result.unreadable() > 0) {
          out.println(
              "Some values did not open: see the log lines above; do not destroy older versions"
                  + " until they are resolved.");
          return 1;
        }
        return result.conflicts() > 0 ? 1 : 0;
      } finally {
        identity.ifPresent(Database::close);
      }
    }
  }

  // One bar per source, on stderr so the summary on stdout stays clean for scripts.
  private static final class Bars {
    private ProgressBar bar;
    private String source;

    void update(String name, long done, long total) {
      if (!name.equals(source)) {
        close();
        source = name;
        bar =
            new ProgressBarBuilder()
                // A file source is named by its path: the file name is enough on a line.
                .setTaskName(name.substring(name.lastIndexOf('/') + 1))
                .setInitialMax(Math.max(total, done))
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
      }
      if (done > bar.getMax()) {
        bar.maxHint(done);
      }
      bar.stepTo(done);
    }

    void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
