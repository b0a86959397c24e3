package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.runtime.http.Json;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code bulwark identity}: users, groups, clients, sessions and signing keys of a running {@code
 * bulwark up}, through the identity admin API as the bootstrap admin client.
 */
@Command(
    name = "identity",
    description = "Administer the identity provider: users, groups, clients, sessions, keys.",
    mixinStandardHelpOptions = true,
    subcommands = {
      IdentityCommand.Users.class,
      IdentityCommand.Groups.class,
      IdentityCommand.Clients.class,
      IdentityCommand.Sessions.class,
      IdentityCommand.Keys.class
    })
final class IdentityCommand implements Callable<Integer> {
  // What the provider accepts, checked here too so that a typo gets a one-line answer at once.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@+-]{1,200}");

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return BulwarkCommand.missingSubcommand(spec, "a subcommand");
  }

  static String name(String what, String value) {
    if (!NAME.matcher(value).matches()) {
      throw new PlatformException(
          what + " '" + value + "' is not a valid name",
          "use 1 to 200 characters of A-Z a-z 0-9 . _ : @ + -");
    }
    return IdentityAdminConnection.segment(value);
  }

  /**
   * The password from {@code file}, else from the console, else the first line of stdin; never from
   * the command line, where other users could read it in the process list.
   */
  static String password(Optional<Path> file, Supplier<Optional<Console>> console) {
    String password;
    if (file.isPresent()) {
      try {
        password = stripNewline(Files.readString(file.get(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new PlatformException(
            "cannot read the password file " + file.get() + ": " + e.getMessage(),
            "check the path and its permissions");
      }
    } else if (console.get().isPresent()) {
      char[] typed = console.get().get().readPassword("Password: ");
      password = typed == null ? "" : new String(typed);
    } else {
      try {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        password = line == null ? "" : line;
      } catch (IOException e) {
        throw new PlatformException(
            "cannot read the password from stdin: " + e.getMessage(), "use --password-file FILE");
      }
    }
    if (password.isEmpty()) {
      throw new PlatformException(
          "no password given", "pipe it on stdin or name a file with --password-file FILE");
    }
    return password;
  }

  private static String stripNewline(String text) {
    if (text.endsWith("\r\n")) {
      return text.substring(0, text.length() - 2);
    }
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static Optional<Console> console() {
    return Optional.ofNullable(System.console());
  }

  // Shared by every group: the connection and how answers are printed.
  abstract static class Group implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return BulwarkCommand.missingSubcommand(spec, "a subcommand");
    }

    JsonNode call(CaCommand.DataOption data, String method, String path, Optional<String> json) {
      return new IdentityAdminConnection(data.data).call(method, path, json);
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    int print(JsonNode json) {
      out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
      return 0;
    }

    int printUser(JsonNode user) {
      out()
          .printf(
              "%-24s %-36s %-8s roles=%s groups=%s%n",
              user.path("username").asString(),
              user.path("user_id").asString(),
              user.path("enabled").asBoolean() ? "enabled" : "disabled",
              strings(user.path("roles")),
              strings(user.path("groups")));
      return 0;
    }

    static String strings(JsonNode array) {
      StringBuilder text = new StringBuilder();
      for (JsonNode value : array) {
        text.append(text.isEmpty() ? "" : ",").append(value.asString());
      }
      return text.isEmpty() ? "-" : text.toString();
    }
  }

  @Command(
      name = "users",
      description = "List, show, create, disable, enable and delete users; passwords; roles.",
      mixinStandardHelpOptions = true)
  static final class Users extends Group {
    @Command(name = "list", description = "List the users.", mixinStandardHelpOptions = true)
    int list(@Mixin CaCommand.DataOption data) {
      for (JsonNode user : call(data, "GET", "/users", Optional.empty()).path("users")) {
        printUser(user);
      }
      return 0;
    }

    @Command(name = "show", description = "Show a user.", mixinStandardHelpOptions = true)
    int show(
        @Mixin CaCommand.DataOption data,
        @Parameters(paramLabel = "USER", description = "Username or user id.") String user) {
      return print(call(data, "GET", "/users/" + name("USER", user), Optional.empty()));
    }

    @Command(
        name = "create",
        description = {
          "Create a user. The password is read from --password-file, or else from stdin.",
          "Example: printf '%s' \"$PW\" | bulwark identity users create alice --name Alice"
        },
        mixinStandardHelpOptions = true)
    int create(
        @Mixin CaCommand.DataOption data,
        @Parameters(paramLabel = "USERNAME") String username,
        @Option(names = "--name", paramLabel = "NAME", description = "Display name.")
            Optional<String> displayName,
        @Option(names = "--email", paramLabel = "EMAIL") Optional<String> email,
        @Option(names = "--password-file", paramLabel = "FILE") Optional<Path> passwordFile) {
      name("USERNAME", username);
      ObjectNode body = Json.object().put("username", username);
      displayName.ifPresent(n -> body.put("name", n));
      email.ifPresent(e -> body.put("email", e));
      body.put("password", password(passwordFile, IdentityCommand::console));
      return printUser(call(data, "POST", "/users", Optional.of(body.toString())));
    }

    @Command(
        name = "disable",
        description = "Stop a user signing in, and end their sessions.",
        mixinStandardHelpOptions = true)
    int disable(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      return printUser(
          call(data, "PATCH", "/users/" + name("USER", user), Optional.of("{\"enabled\":false}")));
    }

    @Command(
        name = "enable",
        description = "Let a user sign in again.",
        mixinStandardHelpOptions = true)
    int enable(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      return printUser(
          call(data, "PATCH", "/users/" + name("USER", user), Optional.of("{\"enabled\":true}")));
    }

    @Command(
        name = "delete",
        description = "Delete a user and end their sessions.",
        mixinStandardHelpOptions = true)
    int delete(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      call(data, "DELETE", "/users/" + name("USER", user), Optional.empty());
      out().println("deleted " + user);
      return 0;
    }

    @Command(
        name = "set-password",
        description = "Set a user's password, read from --password-file or else from stdin.",
        mixinStandardHelpOptions = true)
    int setPassword(
        @Mixin CaCommand.DataOption data,
        @Parameters(paramLabel = "USER") String user,
        @Option(names = "--password-file", paramLabel = "FILE") Optional<Path> passwordFile) {
      String path = "/users/" + name("USER", user) + "/password";
      String body =
          Json.object()
              .put("password", password(passwordFile, IdentityCommand::console))
              .toString();
      call(data, "PUT", path, Optional.of(body));
      out().println("password set for " + user);
      return 0;
    }

    @Command(
        name = "mfa",
        description = "Show a user's second factors.",
        mixinStandardHelpOptions = true)
    int mfa(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      JsonNode answer =
          call(data, "GET", "/users/" + name("USER", user) + "/mfa", Optional.empty());
      out()
          .printf(
              "%s: authenticator app %s, %d recovery code(s) left, %d passkey(s)%n",
              user,
              answer.path("totp").asBoolean() ? "set up" : "not set up",
              answer.path("recovery_codes_left").asInt(),
              answer.path("passkeys").asInt());
      return 0;
    }

    @Command(
        name = "reset-mfa",
        description = {
          "Remove a user's second factors and end their sessions (a lost device);",
          "they set up new ones after their next password sign-in."
        },
        mixinStandardHelpOptions = true)
    int resetMfa(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      call(data, "DELETE", "/users/" + name("USER", user) + "/mfa", Optional.empty());
      out().println("second factors removed and sessions ended for " + user);
      return 0;
    }

    @Command(
        name = "grant-role",
        description = "Grant a role to a user.",
        mixinStandardHelpOptions = true)
    int grantRole(
        @Mixin CaCommand.DataOption data,
        @Parameters(index = "0", paramLabel = "USER") String user,
        @Parameters(index = "1", paramLabel = "ROLE") String role) {
      String path = "/users/" + name("USER", user) + "/roles/" + name("ROLE", role);
      return printUser(call(data, "PUT", path, Optional.empty()));
    }

    @Command(
        name = "revoke-role",
        description = "Revoke a role granted to a user directly.",
        mixinStandardHelpOptions = true)
    int revokeRole(
        @Mixin CaCommand.DataOption data,
        @Parameters(index = "0", paramLabel = "USER") String user,
        @Parameters(index = "1", paramLabel = "ROLE") String role) {
      String path = "/users/" + name("USER", user) + "/roles/" + name("ROLE", role);
      return printUser(call(data, "DELETE", path, Optional.empty()));
    }
  }

  @Command(
      name = "groups",
      description = "List, create and delete groups; members; group roles.",
      mixinStandardHelpOptions = true)
  static final class Groups extends Group {
    int printGroup(JsonNode group) {
      out()
          .printf(
              "%-24s roles=%s members=%s  %s%n",
              group.path("name").asString(),
              strings(group.path("roles")),
              strings(group.path("members")),
              group.path("description").asString());
      return 0;
    }

    @Command(name = "list", description = "List the groups.", mixinStandardHelpOptions = true)
    int list(@Mixin CaCommand.DataOption data) {
      for (JsonNode group : call(data, "GET", "/groups", Optional.empty()).path("groups")) {
        printGroup(group);
      }
      return 0;
    }

    @Command(name = "create", description = "Create a group.", mixinStandardHelpOptions = true)
    int create(
        @Mixin CaCommand.DataOption data,
        @Parameters(paramLabel = "NAME") String group,
        @Option(names = "--description", paramLabel = "TEXT") Optional<String> description) {
      name("NAME", group);
      ObjectNode body = Json.object().put("name", group);
      description.ifPresent(d -> body.put("description", d));
      return printGroup(call(data, "POST", "/groups", Optional.of(body.toString())));
    }

    @Command(name = "delete", description = "Delete a group.", mixinStandardHelpOptions = true)
    int delete(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "NAME") String group) {
      call(data, "DELETE", "/groups/" + name("NAME", group), Optional.empty());
      out().println("deleted " + group);
      return 0;
    }

    @Command(
        name = "add-member",
        description = "Add a user to a group.",
        mixinStandardHelpOptions = true)
    int addMember(
        @Mixin CaCommand.DataOption data,
        @Parameters(index = "0", paramLabel = "GROUP") String group,
        @Parameters(index = "1", paramLabel = "USER") String user) {
      String path = "/groups/" + name("GROUP", group) + "/members/" + name("USER", user);
      return printGroup(call(data, "PUT", path, Optional.empty()));
    }

    @Command(
        name = "remove-member",
        description = "Remove a user from a group.",
        mixinStandardHelpOptions = true)
    int removeMember(
        @Mixin CaCommand.DataOption data,
        @Parameters(index = "0", paramLabel = "GROUP") String group,
        @Parameters(index = "1", paramLabel = "USER") String user) {
      String path = "/groups/" + name("GROUP", group) + "/members/" + name("USER", user);
      return printGroup(call(data, "DELETE", path, Optional.empty()));
    }

    @Command(
        name = "grant-role",
        description = "Grant a role to every member of a group.",
        mixinStandardHelpOptions = true)
    int grantRole(
        @Mixin CaCommand.DataOption data,
        @Parameters(index = "0", paramLabel = "GROUP") String group,
        @Parameters(index = "1", paramLabel = "ROLE") String role) {
      String path = "/groups/" + name("GROUP", group) + "/roles/" + name("ROLE", role);
      return printGroup(call(data, "PUT", path, Optional.empty()));
    }
  }

  @Command(
      name = "clients",
      description = "List, show, create and delete OAuth clients; rotate their secrets.",
      mixinStandardHelpOptions = true)
  static final class Clients extends Group {
    @Command(name = "list", description = "List the clients.", mixinStandardHelpOptions = true)
    int list(@Mixin CaCommand.DataOption data) {
      for (JsonNode client : call(data, "GET", "/clients", Optional.empty()).path("clients")) {
        out()
            .printf(
                "%-32s %-20s %s%n",
                client.path("client_id").asString(),
                client.path("token_endpoint_auth_method").asString(),
                client.path("client_name").asString());
      }
      return 0;
    }

    @Command(
        name = "show",
        description = "Show a client's registration.",
        mixinStandardHelpOptions = true)
    int show(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "CLIENT") String id) {
      return print(call(data, "GET", "/clients/" + name("CLIENT", id), Optional.empty()));
    }

    @Command(
        name = "create",
        description = {
          "Register a client from a JSON file (RFC 7591 member names: client_id, client_name,",
          "grant_types, redirect_uris, token_endpoint_auth_method, scopes, audiences, roles...).",
          "A secret, if the client uses one, is printed once: store it now."
        },
        mixinStandardHelpOptions = true)
    int create(
        @Mixin CaCommand.DataOption data,
        @Option(names = "--json", paramLabel = "FILE", required = true) Path file) {
      String json;
      try {
        json = Files.readString(file, StandardCharsets.UTF_8);
        Json.MAPPER.readTree(json);
      } catch (IOException e) {
        throw new PlatformException(
            "cannot read " + file + ": " + e.getMessage(), "check the path and its permissions");
      } catch (JacksonException e) {
        throw new PlatformException(
            file + " is not JSON: " + e.getOriginalMessage(), "fix the file and run again");
      }
      return print(call(data, "POST", "/clients", Optional.of(json)));
    }

    @Command(
        name = "delete",
        description = "Delete a client; tokens it holds live until they expire.",
        mixinStandardHelpOptions = true)
    int delete(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "CLIENT") String id) {
      call(data, "DELETE", "/clients/" + name("CLIENT", id), Optional.empty());
      out().println("deleted " + id);
      return 0;
    }

    @Command(
        name = "rotate-secret",
        description = "Give a client a new secret (printed once); the old one stops working.",
        mixinStandardHelpOptions = true)
    int rotateSecret(
        @Mixin CaCommand.DataOption data, @Parameters(paramLabel = "CLIENT") String id) {
      return print(
          call(data, "POST", "/clients/" + name("CLIENT", id) + "/secret", Optional.of("{}")));
    }
  }

  @Command(
      name = "sessions",
      description = "List a user's sign-in sessions; revoke one or all.",
      mixinStandardHelpOptions = true)
  static final class Sessions extends Group {
    @Command(
        name = "list",
        description = "List a user's sessions, newest first.",
        mixinStandardHelpOptions = true)
    int list(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      JsonNode answer =
          call(data, "GET", "/users/" + name("USER", user) + "/sessions", Optional.empty());
      for (JsonNode session : answer.path("sessions")) {
        out()
            .printf(
                "%-36s %-7s auth_time=%s expires=%s acr=%s from=%s%n",
                session.path("sid").asString(),
                session.path("active").asBoolean() ? "active" : "ended",
                session.path("auth_time").asString(),
                session.path("expires").asString(),
                session.path("acr").asString(),
                session.path("source_address").asString());
      }
      return 0;
    }

    @Command(name = "revoke", description = "End one session.", mixinStandardHelpOptions = true)
    int revoke(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "SID") String sid) {
      call(data, "DELETE", "/sessions/" + name("SID", sid), Optional.empty());
      out().println("revoked session " + sid);
      return 0;
    }

    @Command(
        name = "revoke-all",
        description = "End every session of a user.",
        mixinStandardHelpOptions = true)
    int revokeAll(@Mixin CaCommand.DataOption data, @Parameters(paramLabel = "USER") String user) {
      JsonNode answer =
          call(data, "DELETE", "/users/" + name("USER", user) + "/sessions", Optional.empty());
      out().println("revoked " + answer.path("revoked").asInt() + " session(s) of " + user);
      return 0;
    }
  }

  @Command(
      name = "keys",
      description = "List the token signing keys; rotate them now.",
      mixinStandardHelpOptions = true)
  static final class Keys extends Group {
    @Command(
        name = "list",
        description = "List the signing keys: kid, algorithm, state, created.",
        mixinStandardHelpOptions = true)
    int list(@Mixin CaCommand.DataOption data) {
      for (JsonNode key : call(data, "GET", "/keys", Optional.empty()).path("keys")) {
        out()
            .printf(
                "%-36s %-6s %-8s %s%n",
                key.path("kid").asString(),
                key.path("alg").asString(),
                key.path("state").asString(),
                key.path("created").asString());
      }
      return 0;
    }

    @Command(
        name = "rotate",
        description = {
          "Rotate every algorithm's keys now: the published next key starts signing, the",
          "current one stays published until the following rotation."
        },
        mixinStandardHelpOptions = true)
    int rotate(@Mixin CaCommand.DataOption data) {
      JsonNode answer = call(data, "POST", "/keys/rotate", Optional.of("{}"));
      for (JsonNode rotation : answer.path("rotated")) {
        out()
            .printf(
                "%-6s now signing with %s (was %s)%n",
                rotation.path("alg").asString(),
                rotation.path("current").asString(),
                rotation.path("previous").asString());
      }
      return 0;
    }
  }
}
