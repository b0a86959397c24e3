package dev.bulwark.policy.schema;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Cedar schema: the entity types and actions an application declares, with common types resolved
 * away and every name fully qualified (docs.cedarpolicy.com, "Schema format").
 *
 * <p>Read one with {@link #parseCedar(String)} or {@link #parseJson(String)}. The conformance
 * checks ({@link #validateRequest}, {@link #validateEntity}) return the problems they find, an
 * empty list meaning the input conforms; they do not throw for bad input.
 */
public final class Schema {
  private final Map<String, EntityTypeDef> entityTypes;
  private final Map<EntityUid, ActionDef> actions;

  Schema(Map<String, EntityTypeDef> entityTypes, Map<EntityUid, ActionDef> actions) {
    this.entityTypes = Collections.unmodifiableMap(new LinkedHashMap<>(entityTypes));
    this.actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
  }

  /**
   * Reads a schema in Cedar's human-readable format ({@code .cedarschema}).
   *
   * @throws SchemaException naming the line and column of the first problem
   */
  public static Schema parseCedar(String text) {
    requireNonNull(text, "text");
    return SchemaResolver.resolve(CedarSchemaParser.parse(text));
  }

  /**
   * Reads a schema in Cedar's JSON format.
   *
   * @throws SchemaException naming the JSON path of the first problem
   */
  public static Schema parseJson(String json) {
    requireNonNull(json, "json");
    return SchemaResolver.resolve(JsonSchemaParser.parse(json));
  }

  /** The declared entity types by fully qualified name, in declaration order. */
  public Map<String, EntityTypeDef> entityTypes() {
    return entityTypes;
  }

  /** The declared entity type named {@code name} (fully qualified), if any. */
  public Optional<EntityTypeDef> entityType(String name) {
    return Optional.ofNullable(entityTypes.get(name));
  }

  /** The declared actions by uid, in declaration order. */
  public Map<EntityUid, ActionDef> actions() {
    return actions;
  }

  /** The declared action {@code uid}, if any. */
  public Optional<ActionDef> action(EntityUid uid) {
    return Optional.ofNullable(actions.get(uid));
  }

  /**
   * The declared actions as entities with their direct parents, for an entity store that must know
   * the action hierarchy.
   */
  public List<ActionEntity> actionEntities() {
    List<ActionEntity> out = new ArrayList<>(actions.size());
    for (ActionDef a : actions.values()) {
      out.add(new ActionEntity(a.uid(), a.memberOf()));
    }
    return List.copyOf(out);
  }

  /**
   * Checks a request against the schema: the action is declared, the principal's and resource's
   * types are ones the action applies to (and their ids are allowed, for enumerated entity types),
   * and the context has exactly the action's context type.
   *
   * @return the problems found; empty when the request conforms
   */
  public List<String> validateRequest(
      EntityUid principal, EntityUid action, EntityUid resource, RecordValue context) {
    requireNonNull(principal, "principal");
    requireNonNull(action, "action");
    requireNonNull(resource, "resource");
    requireNonNull(context, "context");
    List<String> problems = new ArrayList<>();
    ActionDef def = actions.get(action);
    if (def == null) {
      problems.add("action " + action + " is not declared in the schema");
      return List.copyOf(problems);
    }
    appliesTo("principal", principal, def.principalTypes(), action, problems);
    appliesTo("resource", resource, def.resourceTypes(), action, problems);
    new Conformance(this, problems).check("context", context, def.context());
    return List.copyOf(problems);
  }

  private void appliesTo(
      String role, EntityUid uid, Set<String> allowed, EntityUid action, List<String> problems) {
    if (!allowed.contains(uid.type())) {
      problems.add(
          role
              + " "
              + uid
              + " has type "
              + uid.type()
              + ", which action "
              + action
              + " does not apply to (expected: one of "
              + allowed.stream().sorted().toList()
              + ")");
      return;
    }
    new Conformance(this, problems).enumId(role, uid);
  }

  /**
   * Checks an entity against the schema: its type is declared (or it is a declared action), its
   * attributes and tags have the declared types, its parents' types are ones it may be a member of,
   * and its id is allowed if its type is enumerated. An action must have the parents the schema
   * declares, and no attributes or tags.
   *
   * @return the problems found; empty when the entity conforms
   */
  public List<String> validateEntity(
      EntityUid uid,
      Map<String, Value> attributes,
      Set<EntityUid> parents,
      Map<String, Value> tags) {
    requireNonNull(uid, "uid");
    requireNonNull(attributes, "attributes");
    requireNonNull(parents, "parents");
    requireNonNull(tags, "tags");
    List<String> problems = new ArrayList<>();
    ActionDef action = actions.get(uid);
    if (action != null) {
      action(action, attributes, parents, tags, problems);
      return List.copyOf(problems);
    }
    EntityTypeDef def = entityTypes.get(uid.type());
    if (def == null) {
      problems.add(
          "entity "
              + uid
              + " has type "
              + uid.type()
              + ", which the schema does not declare"
              + (isActionType(uid.type()) ? " (and it is not a declared action)" : ""));
      return List.copyOf(problems);
    }
    Conformance conformance = new Conformance(this, problems);
    conformance.enumId("entity", uid);
    conformance.check("attributes of " + uid, new RecordValue(attributes), def.shape());
    for (EntityUid parent : parents) {
      if (!def.memberOfTypes().contains(parent.type())) {
        problems.add(
            "entity "
                + uid
                + " has parent "
                + parent
                + " of type "
                + parent.type()
                + " (expected: one of "
                + def.memberOfTypes().stream().sorted().toList()
                + ")");
      } else {
        conformance.enumId("parent of " + uid, parent);
      }
    }
    if (def.tags().isEmpty()) {
      if (!tags.isEmpty()) {
        problems.add(
            "entity "
                + uid
                + " has tags "
                + tags.keySet().stream().sorted().toList()
                + " but type "
                + def.name()
                + " declares none");
      }
    } else {
      for (Map.Entry<String, Value> tag : new TreeMap<>(tags).entrySet()) {
        conformance.check("tag " + tag.getKey() + " of " + uid, tag.getValue(), def.tags().get());
      }
    }
    return List.copyOf(problems);
  }

  private void action(
      ActionDef def,
      Map<String, Value> attributes,
      Set<EntityUid> parents,
      Map<String, Value> tags,
      List<String> problems) {
    if (!attributes.isEmpty() || !tags.isEmpty()) {
      problems.add("action " + def.uid() + " has attributes or tags (expected: none)");
    }
    Set<EntityUid> reached = new HashSet<>();
    for (EntityUid parent : parents) {
      ActionDef p = actions.get(parent);
      if (p == null || !def.ancestors().contains(parent)) {
        problems.add(
            "action "
                + def.uid()
                + " has parent "
                + parent
                + ", which the schema does not declare as one of its groups");
        continue;
      }
      reached.add(parent);
      reached.addAll(p.ancestors());
    }
    if (!reached.containsAll(def.ancestors())) {
      List<String> missing =
          def.ancestors().stream()
              .filter(a -> !reached.contains(a))
              .map(EntityUid::toString)
              .sorted()
              .toList();
      problems.add(
          "action "
              + def.uid()
              + " lacks the declared groups "
              + missing
              + " (expected: the hierarchy the schema declares)");
    }
  }

  private boolean isActionType(String type) {
    return type.equals("Action") || type.endsWith("::Action");
  }

  @Override
  public String toString() {
    return "Schema[" + entityTypes.size() + " entity types, " + actions.size() + " actions]";
  }
}
