package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.ast.SlotId;
import dev.bulwark.policy.internal.eval.Linker;
import dev.bulwark.policy.internal.eval.ValueJson;
import dev.bulwark.policy.internal.json.PolicyJson;
import dev.bulwark.policy.internal.parse.Parser;
import dev.bulwark.policy.value.EntityUid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An immutable set of policies, templates and template-linked policies.
 *
 * <p>Every change returns a new set, so a set that is live in an {@link Authorizer} is never seen
 * half-changed.
 */
public final class PolicySet {
  private static final PolicySet EMPTY = new PolicySet(Map.of(), Map.of());

  private final Map<String, Policy> policies;
  private final Map<String, Policy> templates;

  private PolicySet(Map<String, Policy> policies, Map<String, Policy> templates) {
    this.policies = policies;
    this.templates = templates;
  }

  /** No policies: every request is denied. */
  public static PolicySet empty() {
    return EMPTY;
  }

  /**
   * Parses Cedar policy text. Policies and templates are named {@code policy0}, {@code policy1},
   * ... in file order, as Cedar names them.
   *
   * @throws PolicyException {@code PARSE_ERROR} with the line and column of the fault
   */
  public static PolicySet parse(String cedar) {
    return build(Parser.parsePolicies(requireNonNull(cedar, "cedar")), false);
  }

  /**
   * Parses Cedar policy text, naming each policy by its {@code @id("...")} annotation where it has
   * one (else {@code policyN}), so that decisions and audit events name policies as their authors
   * do.
   *
   * @throws PolicyException {@code PARSE_ERROR}, or {@code DUPLICATE_POLICY_ID}
   */
  public static PolicySet parseNamed(String cedar) {
    return build(Parser.parsePolicies(requireNonNull(cedar, "cedar")), true);
  }

  private static PolicySet build(List<PolicyDef> defs, boolean useIdAnnotation) {
    Map<String, Policy> policies = new LinkedHashMap<>();
    Map<String, Policy> templates = new LinkedHashMap<>();
    for (int i = 0; i < defs.size(); i++) {
      PolicyDef def = defs.get(i);
      String id = "policy" + i;
      if (useIdAnnotation && def.annotations().containsKey("id")) {
        id = def.annotations().get("id");
      }
      if (policies.containsKey(id) || templates.containsKey(id)) {
        throw new PolicyException(
            PolicyException.Code.DUPLICATE_POLICY_ID, "two policies have the id \"" + id + "\"");
      }
      Policy p = new Policy(id, def, Optional.empty(), Map.of());
      (def.isTemplate() ? templates : policies).put(id, p);
    }
    return ordered(policies, templates);
  }

  private static PolicySet ordered(Map<String, Policy> p, Map<String, Policy> t) {
    return new PolicySet(unmodifiable(p), unmodifiable(t));
  }

  private static Map<String, Policy> unmodifiable(Map<String, Policy> m) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /**
   * Reads Cedar's JSON policy-set format: {@code {"staticPolicies": {id: policy}, "templates": {id:
   * template}, "templateLinks": [{"templateId", "newId", "values": {"?principal": uid}}]}}. A
   * single policy object (with {@code "effect"}) is read as a set of one, named {@code policy0}.
   *
   * @throws PolicyException {@code PARSE_ERROR} naming the JSON path at fault
   */
  public static PolicySet fromJson(String json) {
    JsonNode root;
    try {
      root = ValueJson.MAPPER.readTree(requireNonNull(json, "json"));
    } catch (JacksonException e) {
      throw new PolicyException(
          PolicyException.Code.PARSE_ERROR, "not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new PolicyException(PolicyException.Code.PARSE_ERROR, "expected a JSON object");
    }
    if (root.has("effect")) {
      return build(List.of(PolicyJson.readPolicy(root, "policy")), false);
    }
    Map<String, Policy> all = new LinkedHashMap<>();
    for (String section : List.of("templates", "staticPolicies")) {
      JsonNode node = root.path(section);
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        PolicyDef def = PolicyJson.readPolicy(e.getValue(), section + "." + e.getKey());
        if (def.isTemplate() != section.equals("templates")) {
          throw new PolicyException(
              PolicyException.Code.PARSE_ERROR,
              section
                  + "."
                  + e.getKey()
                  + ": "
                  + (def.isTemplate()
                      ? "has slots but is not under templates"
                      : "has no slots but is under templates"));
        }
        all.put(e.getKey(), new Policy(e.getKey(), def, Optional.empty(), Map.of()));
      }
    }
    PolicySet set = of(all.values());
    JsonNode links = root.path("templateLinks");
    for (int i = 0; i < links.size(); i++) {
      JsonNode link = links.get(i);
      String at = "templateLinks[" + i + "]";
      Map<String, EntityUid> values = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, JsonNode> v : link.path("values").properties()) {
          values.put(v.getKey(), ValueJson.entityUid(v.getValue(), at + ".values." + v.getKey()));
        }
      } catch (IllegalArgumentException e) {
        throw new PolicyException(PolicyException.Code.PARSE_ERROR, e.getMessage(), e);
      }
      set = set.link(link.path("templateId").asString(""), link.path("newId").asString(""), values);
    }
    return set;
  }

  /** The set in Cedar's JSON policy-set format (see {@link #fromJson}). */
  public String toJson() {
    ObjectNode root = ValueJson.MAPPER.createObjectNode();
    ObjectNode statics = root.putObject("staticPolicies");
    ObjectNode temps = root.putObject("templates");
    ArrayNode links = root.putArray("templateLinks");
    templates.values().forEach(t -> temps.set(t.id(), PolicyJson.write(t.definition())));
    for (Policy p : policies.values()) {
      if (p.templateId().isEmpty()) {
        statics.set(p.id(), PolicyJson.write(p.definition()));
      } else {
        ObjectNode link = links.addObject();
        link.put("templateId", p.templateId().get());
        link.put("newId", p.id());
        ObjectNode values = link.putObject("values");
        p.slotValues().forEach((slot, uid) -> values.set(slot, ValueJson.uidNode(uid)));
      }
    }
    return ValueJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  /** Builds a set from policies already parsed (e.g. from several files). */
  public static PolicySet of(Collection<Policy> all) {
    Map<String, Policy> policies = new LinkedHashMap<>();
    Map<String, Policy> templates = new LinkedHashMap<>();
    for (Policy p : all) {
      if (policies.containsKey(p.id()) || templates.containsKey(p.id())) {
        throw new PolicyException(
            PolicyException.Code.DUPLICATE_POLICY_ID,
            "two policies have the id \"" + p.id() + "\"");
      }
      (p.isTemplate() ? templates : policies).put(p.id(), p);
    }
    return ordered(policies, templates);
  }

  /** This set plus the policies, templates and links of {@code other}; ids must not clash. */
  public PolicySet merge(PolicySet other) {
    List<Policy> all = new ArrayList<>(templates.values());
    all.addAll(policies.values());
    all.addAll(other.templates.values());
    all.addAll(other.policies.values());
    return of(all);
  }

  /**
   * Links a template: fills its slots ({@code "?principal"}, {@code "?resource"}) and adds the
   * result under {@code newId}.
   *
   * @throws PolicyException {@code LINK_INVALID} if the template is unknown, the id taken, or the
   *     slots given are not exactly the template's
   */
  public PolicySet link(String templateId, String newId, Map<String, EntityUid> slotValues) {
    requireNonNull(templateId, "templateId");
    requireNonNull(newId, "newId");
    Policy template = templates.get(templateId);
    if (template == null) {
      throw new PolicyException(
          PolicyException.Code.LINK_INVALID, "no template has the id \"" + templateId + "\"");
    }
    if (policies.containsKey(newId) || templates.containsKey(newId)) {
      throw new PolicyException(
          PolicyException.Code.LINK_INVALID, "the id \"" + newId + "\" is already taken");
    }
    Set<SlotId> wanted = template.definition().slots();
    Map<SlotId, EntityUid> values = new EnumMap<>(SlotId.class);
    for (Map.Entry<String, EntityUid> e : slotValues.entrySet()) {
      SlotId slot =
          switch (e.getKey()) {
            case "?principal" -> SlotId.PRINCIPAL;
            case "?resource" -> SlotId.RESOURCE;
            default ->
                throw new PolicyException(
                    PolicyException.Code.LINK_INVALID,
                    "unknown slot \"" + e.getKey() + "\" (expected: ?principal or ?resource)");
          };
      values.put(slot, requireNonNull(e.getValue(), e.getKey()));
    }
    if (!values.keySet().equals(wanted)) {
      throw new PolicyException(
          PolicyException.Code.LINK_INVALID,
          "template \""
              + templateId
              + "\" has slots "
              + wanted.stream().map(SlotId::text).collect(Collectors.toList())
              + " but the link fills "
              + values.keySet().stream().map(SlotId::text).collect(Collectors.toList()));
    }
    Map<String, Policy> next = new LinkedHashMap<>(policies);
    next.put(
        newId,
        new Policy(
            newId,
            Linker.link(template.definition(), values),
            Optional.of(templateId),
            slotValues));
    return ordered(next, templates);
  }

  /** Removes a policy, link or template (a template only once no link uses it). */
  public PolicySet remove(String id) {
    Map<String, Policy> p = new LinkedHashMap<>(policies);
    Map<String, Policy> t = new LinkedHashMap<>(templates);
    if (t.containsKey(id)) {
      Set<String> users = new HashSet<>();
      p.values().forEach(x -> x.templateId().filter(id::equals).ifPresent(u -> users.add(x.id())));
      if (!users.isEmpty()) {
        throw new PolicyException(
            PolicyException.Code.LINK_INVALID,
            "template \"" + id + "\" is still linked by " + users);
      }
      t.remove(id);
    } else if (p.remove(id) == null) {
      throw new PolicyException(
          PolicyException.Code.LINK_INVALID, "no policy has the id \"" + id + "\"");
    }
    return ordered(p, t);
  }

  /** Static and linked policies: the ones that take part in decisions. */
  public Collection<Policy> policies() {
    return policies.values();
  }

  /** Templates. */
  public Collection<Policy> templates() {
    return templates.values();
  }

  /** The static or linked policy, or template, with that id. */
  public Optional<Policy> get(String id) {
    Policy p = policies.get(id);
    return Optional.ofNullable(p != null ? p : templates.get(id));
  }

  /** How many static and linked policies take part in decisions. */
  public int size() {
    return policies.size();
  }

  /** The set in Cedar syntax: templates and static policies (links are not Cedar text). */
  public String toCedar() {
    StringBuilder out = new StringBuilder();
    for (Policy p : templates.values()) {
      out.append(p.toCedar()).append("\n\n");
    }
    for (Policy p : policies.values()) {
      if (p.templateId().isEmpty()) {
        out.append(p.toCedar()).append("\n\n");
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "PolicySet[" + policies.size() + " policies, " + templates.size() + " templates]";
  }
}
