package dev.bulwark.policy.differential;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Compares this engine with Cedar's answer for one case, for inputs the integration-test format
 * cannot carry (template links, JSON policies): validation, then per request the decision, the
 * determining and the erroring policies, read and checked as {@link
 * dev.bulwark.policy.conformance.ConformanceRunner} does (entities and context with the schema, the
 * request validated against it).
 */
final class EngineCheck {
  private EngineCheck() {}

  /**
   * The disagreements, one line each; empty when the engine answers as Cedar did. The policies and
   * schema are read by {@code read}, so that an exception reading them is a disagreement too.
   */
  static List<String> disagreements(
      GeneratedCase c, JsonNode answer, Supplier<PolicySet> policies, Supplier<Schema> schema) {
    List<String> out = new ArrayList<>();
    String at = "seed " + c.seed() + ": ";
    PolicySet set;
    Schema s;
    try {
      set = policies.get();
      s = schema.get();
    } catch (RuntimeException e) {
      out.add(at + "cannot read what Cedar read: " + e);
      return out;
    }
    List<String> problems = Validator.validate(set, s).problems();
    boolean valid = answer.path("validation").path("valid").asBoolean();
    if (problems.isEmpty() != valid) {
      out.add(
          at
              + "validation: Cedar "
              + (valid ? "passes" : "fails " + answer.path("validation").path("messages"))
              + ", engine "
              + (problems.isEmpty() ? "passes" : "fails " + problems));
    }
    Entities entities;
    try {
      entities = Entities.fromJson(c.entities().toString(), s);
    } catch (RuntimeException e) {
      out.add(at + "entities do not load: " + e.getMessage());
      return out;
    }
    Authorizer authorizer = Authorizer.of(set);
    for (int i = 0; i < c.requests().size(); i++) {
      GeneratedCase.GenRequest r = c.requests().get(i);
      String label = at + "request " + i + " " + r + ": ";
      JsonNode expected = answer.path("requests").path(i);
      if (expected.has("failure")) {
        out.add(label + "Cedar refused the request: " + expected.path("failure"));
        continue;
      }
      try {
        EntityUid action = uid(r.action());
        RecordValue context =
            Request.contextFromJson(r.context().toString(), action, Optional.of(s));
        Request request = new Request(uid(r.principal()), action, uid(r.resource()), context);
        List<String> invalid =
            s.validateRequest(request.principal(), action, request.resource(), context);
        if (!invalid.isEmpty()) {
          out.add(label + "request does not validate: " + invalid);
          continue;
        }
        Response got = authorizer.isAuthorized(request, entities);
        String want =
            describe(
                expected.path("decision").asString(),
                strings(expected.path("reason")),
                strings(expected.path("errors")));
        String have =
            describe(
                got.decision().name().toLowerCase(Locale.ROOT),
                got.determiningPolicies(),
                got.errors().stream()
                    .map(AuthorizationError::policyId)
                    .collect(Collectors.toSet()));
        if (!want.equals(have)) {
          out.add(
              label
                  + "Cedar "
                  + want
                  + " "
                  + expected.path("errorMessages")
                  + ", engine "
                  + have
                  + " "
                  + got.errors());
        }
      } catch (RuntimeException e) {
        out.add(label + "unexpected " + e);
      }
    }
    return out;
  }

  private static EntityUid uid(JsonNode n) {
    return EntityUid.of(n.path("type").asString(), n.path("id").asString());
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  private static String describe(String decision, Set<String> reason, Set<String> errors) {
    return decision + " reason=" + new TreeSet<>(reason) + " errors=" + new TreeSet<>(errors);
  }
}
