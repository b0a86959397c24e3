package dev.bulwark.cli;

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
      VersionCommand.class
    })
final class BulwarkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println("bulwark: a command is required (up, token, ca, audit, keys, version)");
    spec.commandLine().getErr().println("Run 'bulwark --help' for usage.");
    return 2;
  }
}
