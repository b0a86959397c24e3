package dev.bulwark.cli;

import dev.bulwark.policy.AuthorizationError;
import dev.bulwark.policy.Authorizer;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.Response;
import dev.bulwark.policy.Validator;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.runtime.http.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark policy}: check Cedar policies and try requests against them, offline. */
@Command(
    name = "policy",
    description =
        "Validate Cedar policies, evaluate requests, run policy tests and Cedar's conformance suite.",
    mixinStandardHelpOptions = true,
    subcommands = {
      PolicyCommand.Validate.class,
      PolicyCommand.Eval.class,
      PolicyTestCommand.class,
      PolicyConformanceCommand.class
    })
final class PolicyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return BulwarkCommand.missingSubcommand(spec, "a subcommand");
  }

  /**
   * {@code --policies} and {@code --schema}, as every subcommand that reads policies takes them.
   */
  static final class PolicyOptions {
    @Option(
        names = "--policies",
        paramLabel = "FILE|DIR",
        required = true,
        description = "A .cedar file, or a folder of them.")
    Path policies;

    @Option(
        names = "--schema",
        paramLabel = "FILE",
        description = "A Cedar schema to validate the policies against, strictly.")
    Path schema;

    /** The policy files read, with the problems parsing and (with a schema) validation find. */
    PolicySources read() {
      return checked(PolicySources.read(policies), schema);
    }
  }

  /** {@code sources} with the problems of strict validation against {@code schema} added. */
  static PolicySources checked(PolicySources sources, Path schema) {
    if (!sources.problems().isEmpty() || schema == null) {
      return sources;
    }
    List<String> problems =
        Validator.validate(sources.policies().orElseThrow(), SchemaCheck.read(schema))
            .errors()
            .stream()
            .map(e -> sources.where(e.policyId()) + ": " + e.message())
            .toList();
    return problems.isEmpty() ? sources : sources.withProblems(problems);
  }

  @Command(
      name = "validate",
      description = {
        "Parse Cedar policies (a .cedar file, or every .cedar file under a folder) and, with",
        "--schema, validate them strictly against it. Prints each problem as file:line:col.",
        "Exit status: 0 valid, 1 any problem."
      },
      mixinStandardHelpOptions = true)
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PolicyOptions options = new PolicyOptions();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PolicySources sources = options.read();
      List<String> problems = sources.problems();
      problems.forEach(out::println);
      if (!problems.isEmpty()) {
        out.printf(
            "%d %s in %d %s%n",
            problems.size(),
            problems.size() == 1 ? "problem" : "problems",
            sources.files().size(),
            sources.files().size() == 1 ? "file" : "files");
        return 1;
      }
      PolicySet set = sources.policies().orElseThrow();
      if (options.schema != null) {
        // Valid, but worth a look: e.g. a policy no request the schema allows can ever match.
        Validator.validate(set, SchemaCheck.read(options.schema))
            .warnings()
            .forEach(
                w -> out.println("warning: " + sources.where(w.policyId()) + ": " + w.message()));
      }
      out.printf(
          "valid: %d policies, %d templates in %d %s%s%n",
          set.size(),
          set.templates().size(),
          sources.files().size(),
          sources.files().size() == 1 ? "file" : "files",
          options.schema == null
              ? " (syntax only: no --schema)"
              : ", strictly valid against " + options.schema);
      return 0;
    }
  }

  @Command(
      name = "eval",
      description = {
        "Decide one request against Cedar policies: prints the decision, the policies that",
        "determined it and the policies that raised errors. Exit status 0 for either decision;",
        "1 if the inputs do not load."
      },
      mixinStandardHelpOptions = true)
  static final class Eval implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PolicyOptions options = new PolicyOptions();

    @Option(
        names = "--entities",
        paramLabel = "FILE",
        description = "Entities in Cedar's JSON format (default: none).")
    Path entities;

    @Option(
        names = "--principal",
        paramLabel = "UID",
        required = true,
        description = "The principal, e.g. 'User::\"alice\"'.")
    String principal;

    @Option(
        names = "--action",
        paramLabel = "UID",
        required = true,
        description = "The action, e.g. 'Action::\"view\"'.")
    String action;

    @Option(
        names = "--resource",
        paramLabel = "UID",
        required = true,
        description = "The resource, e.g. 'Photo::\"vacation.jpg\"'.")
    String resource;

    @ArgGroup(exclusive = true)
    ContextOption context = new ContextOption();

    @Option(
        names = "--json",
        description = "Print the answer as one JSON object (decision, determining, errors).")
    boolean json;

    static final class ContextOption {
      @Option(
          names = "--context",
          paramLabel = "JSON",
          description = "The context, a JSON object in Cedar's value format.")
      String text;

      @Option(
          names = "--context-file",
          paramLabel = "FILE",
          description = "The context from a file.")
      Path file;

      RecordValue read(EntityUid action, Optional<Schema> schema) {
        if (text != null) {
          return RequestText.context("--context", text, action, schema);
        }
        if (file != null) {
          return RequestText.context(
              "--context-file " + file,
              PolicySources.readText(file, "context file"),
              action,
              schema);
        }
        return RecordValue.EMPTY;
      }
    }

    @Override
    public Integer call() {
      Optional<Schema> schema = SchemaCheck.read(Optional.ofNullable(options.schema));
      EntityUid actionUid = RequestText.entityUid("--action", action);
      Request request =
          new Request(
              RequestText.entityUid("--principal", principal),
              actionUid,
              RequestText.entityUid("--resource", resource),
              context.read(actionUid, schema));
      PolicySet policySet = options.read().require();
      Entities store = entities == null ? Entities.empty() : SchemaCheck.entities(entities, schema);
      Response response = Authorizer.of(policySet).isAuthorized(request, store);
      print(spec.commandLine().getOut(), response, json);
      return 0;
    }
  }

  /** Prints a response as text (decision, determining policies, errors) or as one JSON object. */
  static void print(PrintWriter out, Response response, boolean json) {
    String decision = response.decision().name().toLowerCase(Locale.ROOT);
    List<String> determining = List.copyOf(new TreeSet<>(response.determiningPolicies()));
    if (json) {
      List<Map<String, String>> errors = new ArrayList<>();
      for (AuthorizationError e : response.errors()) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("policy", e.policyId());
        error.put("message", e.message());
        errors.add(error);
      }
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("decision", decision);
      answer.put("determining", determining);
      answer.put("errors", errors);
      out.println(Json.MAPPER.writeValueAsString(answer));
      return;
    }
    out.println(decision.toUpperCase(Locale.ROOT));
    out.println(
        "determining policies: "
            + (determining.isEmpty()
                ? "none" + (response.isAllowed() ? "" : " (no permit applies: default deny)")
                : String.join(", ", determining)));
    if (response.errors().isEmpty()) {
      out.println("errors: none");
    } else {
      out.println("errors:");
      for (AuthorizationError e : response.errors()) {
        out.println("  " + e.policyId() + ": " + e.message());
      }
    }
  }
}
