package dev.bulwark.cli;

import dev.bulwark.audit.log.AuditLogVerifier;
import dev.bulwark.audit.log.InclusionProof;
import dev.bulwark.audit.log.SignedTreeHead;
import dev.bulwark.audit.log.TreeHash;
import dev.bulwark.audit.log.VerificationReport;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.platform.audit.PlatformAudit;
import dev.bulwark.runtime.http.Json;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code bulwark audit}: check, search and prove the central audit log. */
@Command(
    name = "audit",
    description = "Verify the tamper-evident audit log, search it, and prove a record's inclusion.",
    mixinStandardHelpOptions = true,
    subcommands = {AuditCommand.Verify.class, AuditCommand.Query.class, AuditCommand.Prove.class})
final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return BulwarkCommand.missingSubcommand(spec, "a subcommand");
  }

  @Command(
      name = "verify",
      description = {
        "Check the whole audit log: every record's hash, the hash chain, every signed checkpoint.",
        "Names the first bad record. Reads the files only, so it also runs while 'bulwark up' does.",
        "Exit status: 0 intact, 1 tampered or unreadable."
      },
      mixinStandardHelpOptions = true)
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin CaCommand.DataOption options = new CaCommand.DataOption();

    @Option(
        names = "--public-key",
        paramLabel = "FILE",
        description =
            "The checkpoint public key (PEM), kept apart from the log (default: DIR/"
                + PlatformAudit.PUBLIC_KEY_FILE
                + ").")
    Path publicKey;

    @Option(
        names = "--postgresql",
        paramLabel = "URL",
        description = "Verify the log in PostgreSQL at this jdbc:postgresql:// URL instead.")
    String postgresql;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      PublicKey key =
          PlatformAudit.readPublicKey(
              publicKey != null ? publicKey : options.data.resolve(PlatformAudit.PUBLIC_KEY_FILE));
      Progress progress = new Progress(err);
      VerificationReport report;
      if (postgresql != null) {
        report = PlatformAudit.verifyPostgresql(postgresql, key, progress::update);
      } else if (!Files.isDirectory(options.data.resolve(PlatformAudit.LOG_DIRECTORY))) {
        throw new PlatformException(
            "no audit log in " + options.data.resolve(PlatformAudit.LOG_DIRECTORY),
            "pass the data directory of a 'bulwark up' with --data, or --postgresql URL");
      } else {
        report =
            AuditLogVerifier.verify(
                options.data.resolve(PlatformAudit.LOG_DIRECTORY), key, progress::update);
      }
      progress.done();
      if (report.problem().isPresent()) {
        VerificationReport.Problem problem = report.problem().get();
        out.printf(
            "TAMPERED: record %d: %s (%s); %d records checked before it%n",
            problem.sequence(),
            problem.detail(),
            problem.kind().name().toLowerCase(Locale.ROOT),
            report.recordsChecked());
        return 1;
      }
      out.printf(
          "intact: %d records, %d signed checkpoints; %d records after the last checkpoint%n",
          report.recordsChecked(),
          report.checkpointsChecked(),
          report.recordsAfterLastCheckpoint());
      if (report.tornTailBytes() > 0) {
        out.printf(
            "note: %d bytes of an unfinished write at the end (never acknowledged; dropped on the"
                + " next start)%n",
            report.tornTailBytes());
      }
      return 0;
    }
  }

  @Command(
      name = "query",
      description = {
        "Search the audit log of a running 'bulwark up', newest first; as its operator.",
      },
      mixinStandardHelpOptions = true)
  static final class Query implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin CaCommand.DataOption options = new CaCommand.DataOption();

    @Option(names = "--subject", paramLabel = "WHO", description = "Events about this subject.")
    String subject;

    @Option(
        names = "--action",
        paramLabel = "ACTION",
        description = "Events of this action, e.g. client.login or http.deny.")
    String action;

    @Option(names = "--component", paramLabel = "NAME", description = "Events of one component.")
    String component;

    @Option(
        names = "--outcome",
        paramLabel = "OUTCOME",
        description = "success, failure or denied.")
    String outcome;

    @Option(
        names = "--since",
        paramLabel = "TIME",
        description = "From this time (ISO-8601, e.g. 2026-11-23T10:00:00Z).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Up to this time (ISO-8601).")
    String until;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most N records (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print each record as one JSON line.")
    boolean json;

    @Override
    public Integer call() {
      OperatorConnection connection = new OperatorConnection(options.data);
      List<String> parameters = new ArrayList<>();
      add(parameters, "subject", subject);
      add(parameters, "action", action);
      add(parameters, "component", component);
      if (outcome != null) {
        String normalized = outcome.toLowerCase(Locale.ROOT);
        if (!List.of("success", "failure", "denied").contains(normalized)) {
          throw new PlatformException(
              "--outcome " + outcome + " is not an outcome", "use success, failure or denied");
        }
        add(parameters, "outcome", normalized);
      }
      add(parameters, "since", time("--since", since));
      add(parameters, "until", time("--until", until));
      if (limit < 1 || limit > 10_000) {
        throw new PlatformException("--limit " + limit + " is out of range", "use 1 to 10000");
      }
      parameters.add("limit=" + limit);
      URI url = connection.component("audit").resolve("/v1/query?" + String.join("&", parameters));
      JsonNode answer = connection.call("GET", url, Optional.empty());
      PrintWriter out = spec.commandLine().getOut();
      for (JsonNode record : answer.path("records")) {
        if (json) {
          out.println(Json.MAPPER.writeValueAsString(record));
        } else {
          JsonNode event = record.path("event");
          StringBuilder line =
              new StringBuilder()
                  .append(String.format("%8d ", record.path("sequence").asLong()))
                  .append(event.path("time").asString())
                  .append(' ')
                  .append(event.path("component").asString())
                  .append(' ')
                  .append(event.path("action").asString())
                  .append(' ')
                  .append(event.path("outcome").asString());
          event
              .path("attributes")
              .properties()
              .forEach(
                  e ->
                      line.append(' ')
                          .append(e.getKey())
                          .append('=')
                          .append(e.getValue().asString()));
          out.println(line);
        }
      }
      if (!json && answer.path("records").isEmpty()) {
        out.println("no matching records");
      }
      return 0;
    }

    private static void add(List<String> parameters, String name, String value) {
      if (value != null) {
        parameters.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }

    private static String time(String option, String value) {
      if (value == null) {
        return null;
      }
      try {
        return Instant.parse(value).toString();
      } catch (DateTimeParseException e) {
        throw new PlatformException(
            option + " " + value + " is not a time", "use ISO-8601, e.g. 2026-11-23T10:00:00Z");
      }
    }
  }

  @Command(
      name = "prove",
      description = {
        "Print the inclusion proof of record SEQUENCE under the latest signed checkpoint of a",
        "running 'bulwark up', and check it against the checkpoint public key."
      },
      mixinStandardHelpOptions = true)
  static final class Prove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin CaCommand.DataOption options = new CaCommand.DataOption();

    @Parameters(paramLabel = "SEQUENCE", description = "The record's sequence number.")
    long sequence;

    @Option(
        names = "--public-key",
        paramLabel = "FILE",
        description =
            "The checkpoint public key (default: DIR/" + PlatformAudit.PUBLIC_KEY_FILE + ").")
    Path publicKey;

    @Override
    public Integer call() {
      if (sequence < 0) {
        throw new PlatformException("SEQUENCE " + sequence + " is negative", "records start at 0");
      }
      OperatorConnection connection = new OperatorConnection(options.data);
      JsonNode answer =
          connection.call(
              "GET",
              connection.component("audit").resolve("/v1/proof?sequence=" + sequence),
              Optional.empty());
      PublicKey key =
          PlatformAudit.readPublicKey(
              publicKey != null ? publicKey : options.data.resolve(PlatformAudit.PUBLIC_KEY_FILE));
      SignedTreeHead head =
          SignedTreeHead.fromJson(Json.MAPPER.writeValueAsString(answer.path("checkpoint")));
      JsonNode proofJson = answer.path("proof");
      List<TreeHash> path = new ArrayList<>();
      proofJson.path("path").forEach(h -> path.add(TreeHash.ofHex(h.asString())));
      InclusionProof proof =
          new InclusionProof(
              proofJson.path("sequence").asLong(),
              proofJson.path("treeSize").asLong(),
              TreeHash.ofHex(proofJson.path("leafHash").asString()),
              path);
      byte[] event = answer.path("event").asString().getBytes(StandardCharsets.UTF_8);
      PrintWriter out = spec.commandLine().getOut();
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
      if (!head.verify(key)) {
        out.println("NOT VERIFIED: the checkpoint's signature does not match the public key");
        return 1;
      }
      if (proof.sequence() != sequence
          || proof.treeSize() != head.treeSize()
          || !proof.verify(event, head.rootHash())) {
        out.println(
            "NOT VERIFIED: the record and its audit path do not lead to the checkpoint's root");
        return 1;
      }
      out.printf(
          "verified: record %d is in the log of %d records signed at %s%n",
          sequence, head.treeSize(), head.time());
      return 0;
    }
  }

  // A one-line progress display on stderr, for checks that take seconds.
  private static final class Progress {
    private final PrintWriter err;
    private long lastShown = System.nanoTime();
    private boolean shown;

    Progress(PrintWriter err) {
      this.err = err;
    }

    void update(long done) {
      long now = System.nanoTime();
      if (now - lastShown < 200_000_000L) {
        return;
      }
      lastShown = now;
      shown = true;
      err.printf("\rverifying: %,d records", done);
      err.flush();
    }

    void done() {
      if (shown) {
        err.print("\r\033[K");
        err.flush();
      }
    }
  }
}
