package dev.bulwark.cli;

import dev.bulwark.ca.CaException;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.keys.KeysException;
import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.runtime.config.ConfigException;
import dev.bulwark.runtime.errors.CauseChain;
import dev.bulwark.runtime.storage.StorageException;
import java.io.PrintWriter;
import java.net.BindException;
import picocli.CommandLine;

/** The {@code bulwark} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int status = run(args);
    System.exit(status);
  }

  /**
   * Runs the command line and returns the exit status, printing errors as one line plus a next
   * step.
   */
  static int run(String[] args) {
    return commandLine().execute(args);
  }

  /** Runs the command line with its output and errors going to the given writers (for tests). */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine().setOut(out).setErr(err).execute(args);
  }

  private static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new BulwarkCommand());
    commandLine.setParameterExceptionHandler(Main::badUsage);
    commandLine.setExecutionExceptionHandler((e, cl, parsed) -> failure(e, cl.getErr()));
    return commandLine;
  }

  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("bulwark: " + e.getMessage());
    err.println(
        "Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return 2;
  }

  static int failure(Exception e, PrintWriter err) {
    String message;
    String next;
    int status = 1;
    switch (e) {
      case ConfigException c -> {
        message = c.getMessage();
        next =
            c.key().isEmpty()
                ? "Fix the config file and run again."
                : "Fix it in the config file, or override it with "
                    + dev.bulwark.runtime.config.ConfigSection.environmentName(c.key())
                    + ".";
        status = 2;
      }
      case PlatformException p -> {
        message = p.getMessage();
        next = capitalize(p.nextStep()) + ".";
      }
      case KeysException k -> {
        message = k.getMessage();
        next = "Check BULWARK_MASTER_KEY or the data directory's master.key.";
      }
      case StorageException s -> {
        message = s.getMessage();
        next = "Check that the database is reachable and the data directory is writable.";
      }
      case IdentityException i -> {
        message = i.getMessage();
        next = "See the logs in the data directory for details.";
      }
      case PolicyException p -> {
        message = p.getMessage();
        next = "Fix the policy input named above and run again.";
      }
      case CaException c -> {
        message = c.getMessage();
        next = "Check the data directory's ca/ folder.";
      }
      default -> {
        if (CauseChain.contains(e, BindException.class)) {
          message = "a port Bulwark needs is already in use";
          next =
              "Stop what uses it, or choose other ports with --port-base N (or 0 for free ports).";
        } else {
          message = "unexpected error: " + e;
          next = "See logs/bulwark.log in the data directory, and report it if it persists.";
        }
      }
    }
    err.println("bulwark: " + message);
    err.println(next);
    err.flush();
    return status;
  }

  private static String capitalize(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
