package dev.bulwark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command: it only dispatches to subcommands. */
@Command(
    name = "bulwark",
    description = "Bulwark: zero-trust security for microservices.",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    subcommands = {
      UpCommand.class,
      TokenCommand.class,
      CaCommand.class,
      AuditCommand.class,
      KeysCommand.class,
      IdentityCommand.class,
      PolicyCommand.class,
      VersionCommand.class
    })
final class BulwarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return missingSubcommand(spec, "a command");
  }

  /**
   * What a command with subcommands answers when run without one: what it takes, where help is, and
   * exit status 2.
   */
  static int missingSubcommand(CommandSpec spec, String what) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        spec.qualifiedName()
            + ": "
            + what
            + " is required ("
            + String.join(", ", spec.subcommands().keySet())
            + ")");
    err.println("Run '" + spec.qualifiedName() + " --help' for usage.");
    return 2;
  }
}
