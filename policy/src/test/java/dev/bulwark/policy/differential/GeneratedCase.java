package dev.bulwark.policy.differential;

import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One generated test case: a schema, entities, policies and templates (policy {@code i} has the id
 * {@code policy<i>}, as Cedar names the policies of one text in file order), links of the templates
 * and requests, plus the seed that reproduces it.
 */
record GeneratedCase(
    long seed,
    String schema,
    JsonNode entities,
    List<String> policyList,
    Set<String> templateIds,
    List<Link> links,
    boolean meantToValidate,
    List<GenRequest> requests) {
  GeneratedCase {
    policyList = List.copyOf(policyList);
    templateIds = Set.copyOf(templateIds);
    links = List.copyOf(links);
    requests = List.copyOf(requests);
  }

  /** A case of static policies only. */
  GeneratedCase(
      long seed,
      String schema,
      JsonNode entities,
      List<String> policyList,
      boolean meantToValidate,
      List<GenRequest> requests) {
    this(seed, schema, entities, policyList, Set.of(), List.of(), meantToValidate, requests);
  }

  /** The policies and templates as one Cedar text. */
  String policies() {
    StringBuilder out = new StringBuilder();
    policyList.forEach(p -> out.append(p).append('\n'));
    return out.toString();
  }

  static String id(int index) {
    return "policy" + index;
  }

  /** A request: principal, action and resource as {@code {"type", "id"}}, the context as JSON. */
  record GenRequest(JsonNode principal, JsonNode action, JsonNode resource, JsonNode context) {}

  /** A link of template {@code templateId}: {@code values} maps each slot to a uid. */
  record Link(String templateId, String newId, ObjectNode values) {}
}
