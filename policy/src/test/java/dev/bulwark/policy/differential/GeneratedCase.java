package dev.bulwark.policy.differential;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One generated test case: a schema, entities, a policy set (Cedar names its policies policy0,
 * policy1, ... in file order) and requests, plus the seed that reproduces it.
 */
record GeneratedCase(
    long seed,
    String schema,
    JsonNode entities,
    String policies,
    boolean meantToValidate,
    List<GenRequest> requests) {
  GeneratedCase {
    requests = List.copyOf(requests);
  }

  /** A request: principal, action and resource as {@code {"type", "id"}}, the context as JSON. */
  record GenRequest(JsonNode principal, JsonNode action, JsonNode resource, JsonNode context) {}
}
