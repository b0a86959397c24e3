package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code bulwark keys}: key rings for encryption at rest. */
@Command(
    name = "keys",
    description = "Manage key rings: list, show, create, rotate, disable, enable, destroy, rewrap.",
    mixinStandardHelpOptions = true,
    subcommands = {
      KeysCommand.ListRings.class,
      KeysCommand.Show.class,
      KeysCommand.Create.class,
      KeysCommand.Rotate.class,
      KeysCommand.Disable.class,
      KeysCommand.Enable.class,
      KeysCommand.Destroy.class,
      RewrapCommand.class
    })
final class KeysCommand implements Callable<Integer> {
  private static final Pattern RING = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return BulwarkCommand.missingSubcommand(spec, "a subcommand");
  }

  static String ring(String name) {
    if (!RING.matcher(name).matches()) {
      throw new PlatformException(
          "'" + name + "' is not a key ring name",
          "use 1 to 64 characters of a-z 0-9 . _ -, starting with a letter or digit");
    }
    return name;
  }

  // Every admin subcommand calls the running keys service as the operator.
  abstract static class Admin implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.Mixin CaCommand.DataOption options = new CaCommand.DataOption();

    JsonNode call(String method, String path) {
      OperatorConnection connection = new OperatorConnection(options.data);
      URI url = connection.component("keys").resolve(path);
      return connection.call(
          method, url, method.equals("POST") ? Optional.of("{}") : Optional.empty());
    }

    void printVersions(JsonNode ring) {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%s (primary: version %d)%n", ring.path("name").asString(), ring.path("primary").asInt());
      for (JsonNode version : ring.path("versions")) {
        out.printf(
            "  version %-4d %-9s created %s%s%n",
            version.path("version").asInt(),
            version.path("state").asString(),
            version.path("created").asString(),
            version.path("primary").asBoolean() ? "  (primary)" : "");
      }
    }
  }

  @Command(name = "list", description = "List the key rings.", mixinStandardHelpOptions = true)
  static final class ListRings extends Admin {
    @Override
    public Integer call() {
      JsonNode answer = call("GET", "/v1/keys");
      PrintWriter out = spec.commandLine().getOut();
      for (JsonNode name : answer.path("rings")) {
        out.println(name.asString());
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "Show a ring's versions and their states.",
      mixinStandardHelpOptions = true)
  static final class Show extends Admin {
    @Parameters(paramLabel = "RING")
    String ring;

    @Override
    public Integer call() {
      printVersions(call("GET", "/v1/keys/" + ring(ring)));
      return 0;
    }
  }

  @Command(name = "create", description = "Create a ring.", mixinStandardHelpOptions = true)
  static final class Create extends Admin {
    @Parameters(paramLabel = "RING")
    String ring;

    @Override
    public Integer call() {
      printVersions(call("POST", "/v1/keys/" + ring(ring)));
      return 0;
    }
  }

  @Command(
      name = "rotate",
      description = {
        "Add a new primary version; older versions keep decrypting.",
        "Then 'bulwark keys rewrap' moves stored data to it."
      },
      mixinStandardHelpOptions = true)
  static final class Rotate extends Admin {
    @Parameters(paramLabel = "RING")
    String ring;

    @Override
    public Integer call() {
      printVersions(call("POST", "/v1/keys/" + ring(ring) + "/rotate"));
      return 0;
    }
  }

  abstract static class VersionChange extends Admin {
    @Parameters(index = "0", paramLabel = "RING")
    String ring;

    @Parameters(index = "1", paramLabel = "VERSION")
    int version;

    Integer change(String verb) {
      if (version < 1) {
        throw new PlatformException(
            "VERSION " + version + " is not a version", "versions start at 1");
      }
      printVersions(call("POST", "/v1/keys/" + ring(ring) + "/versions/" + version + "/" + verb));
      return 0;
    }
  }

  @Command(
      name = "disable",
      description = "Stop a non-primary version from decrypting (reversible with enable).",
      mixinStandardHelpOptions = true)
  static final class Disable extends VersionChange {
    @Override
    public Integer call() {
      return change("disable");
    }
  }

  @Command(
      name = "enable",
      description = "Let a disabled version decrypt again.",
      mixinStandardHelpOptions = true)
  static final class Enable extends VersionChange {
    @Override
    public Integer call() {
      return change("enable");
    }
  }

  @Command(
      name = "destroy",
      description = {
        "Delete a disabled version's key material for good: whatever it still wraps is lost.",
        "Rewrap first ('bulwark keys rewrap'), then disable, then destroy."
      },
      mixinStandardHelpOptions = true)
  static final class Destroy extends VersionChange {
    @Override
    public Integer call() {
      return change("destroy");
    }
  }
}
