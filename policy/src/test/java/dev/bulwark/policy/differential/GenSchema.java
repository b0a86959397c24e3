package dev.bulwark.policy.differential;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A generated schema: entity types (one of them an enum), actions and action groups. Entity type
 * names are fully qualified ({@code Org::Iam::User}); the actions all live in {@code
 * actionNamespace} ({@code ""} for none).
 */
record GenSchema(List<EntityDef> entities, List<ActionDef> actions, String actionNamespace) {
  GenSchema {
    entities = List.copyOf(entities);
    actions = List.copyOf(actions);
  }

  /** A schema without namespaces. */
  GenSchema(List<EntityDef> entities, List<ActionDef> actions) {
    this(entities, actions, "");
  }

  /** The entity type of the actions: {@code Action} or {@code Ns::Action}. */
  String actionType() {
    return qualify(actionNamespace, "Action");
  }

  /** The action {@code name} as Cedar writes it in a policy: {@code Ns::Action::"name"}. */
  String actionRef(String name) {
    return actionType() + "::" + ValueWriter.string(name);
  }

  static String qualify(String namespace, String name) {
    return namespace.isEmpty() ? name : namespace + "::" + name;
  }

  /** The namespace of a fully qualified name, {@code ""} for none. */
  static String namespaceOf(String name) {
    int at = name.lastIndexOf("::");
    return at < 0 ? "" : name.substring(0, at);
  }

  /** The last segment of a fully qualified name. */
  static String simpleName(String name) {
    int at = name.lastIndexOf("::");
    return at < 0 ? name : name.substring(at + 2);
  }

  /**
   * How a declaration in namespace {@code from} names type {@code target}: unqualified when Cedar
   * resolves that to the target (the same namespace, or the empty one, whose simple names no other
   * namespace shares), except for a third of the names, qualified even within their namespace so
   * that both spellings are read.
   */
  static String reference(String target, String from) {
    String ns = namespaceOf(target);
    boolean sameNs = ns.equals(from);
    if (ns.isEmpty() || sameNs && Math.floorMod(target.hashCode(), 3) != 0) {
      return simpleName(target);
    }
    return target;
  }

  /** The enumerated entity type. */
  EntityDef enumType() {
    return entities.stream().filter(EntityDef::isEnum).findFirst().orElseThrow();
  }

  /** An entity type; {@code enumIds} non-empty makes it an enumerated type. */
  record EntityDef(
      String name,
      List<String> memberOf,
      GenType.Rec shape,
      Optional<GenType> tags,
      List<String> enumIds) {
    EntityDef {
      memberOf = List.copyOf(memberOf);
      enumIds = List.copyOf(enumIds);
    }

    boolean isEnum() {
      return !enumIds.isEmpty();
    }
  }

  /** An action; one without principals applies to nothing and serves as a group. */
  record ActionDef(
      String name,
      List<String> memberOf,
      List<String> principals,
      List<String> resources,
      GenType.Rec context) {
    ActionDef {
      memberOf = List.copyOf(memberOf);
      principals = List.copyOf(principals);
      resources = List.copyOf(resources);
    }

    boolean appliesToSomething() {
      return !principals.isEmpty();
    }
  }

  EntityDef entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
  }

  List<ActionDef> requestable() {
    return actions.stream().filter(ActionDef::appliesToSomething).toList();
  }

  /** Every type whose entities may be ancestors of {@code type}'s, transitively, and itself. */
  List<String> ancestorsOrSelf(String type) {
    java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(type));
    while (!todo.isEmpty()) {
      String t = todo.pop();
      if (seen.add(t)) {
        todo.addAll(entity(t).memberOf());
      }
    }
    return List.copyOf(seen);
  }

  /** The schema in Cedar's schema syntax, one {@code namespace} block per namespace. */
  String cedarText() {
    java.util.LinkedHashSet<String> namespaces = new java.util.LinkedHashSet<>();
    namespaces.add("");
    entities.forEach(e -> namespaces.add(namespaceOf(e.name())));
    namespaces.add(actionNamespace);
    StringBuilder out = new StringBuilder();
    for (String ns : namespaces) {
      StringBuilder body = new StringBuilder();
      for (EntityDef e : entities) {
        if (namespaceOf(e.name()).equals(ns)) {
          entityText(e, ns, body);
        }
      }
      if (ns.equals(actionNamespace)) {
        actions.forEach(a -> actionText(a, ns, body));
      }
      if (ns.isEmpty()) {
        out.append(body);
      } else if (!body.isEmpty()) {
        out.append("namespace ").append(ns).append(" {\n").append(body).append("}\n");
      }
    }
    return out.toString();
  }

  private static void entityText(EntityDef e, String ns, StringBuilder out) {
    out.append("entity ").append(simpleName(e.name()));
    if (e.isEnum()) {
      out.append(
          e.enumIds().stream()
              .map(id -> "\"" + id + "\"")
              .collect(Collectors.joining(", ", " enum [", "];\n")));
      return;
    }
    if (!e.memberOf().isEmpty()) {
      out.append(" in [")
          .append(
              e.memberOf().stream().map(t -> reference(t, ns)).collect(Collectors.joining(", ")))
          .append("]");
    }
    out.append(" = ").append(e.shape().schemaText(ns));
    e.tags().ifPresent(t -> out.append(" tags ").append(t.schemaText(ns)));
    out.append(";\n");
  }

  private static void actionText(ActionDef a, String ns, StringBuilder out) {
    out.append("action \"").append(a.name()).append("\"");
    if (!a.memberOf().isEmpty()) {
      out.append(
          a.memberOf().stream()
              .map(g -> "\"" + g + "\"")
              .collect(Collectors.joining(", ", " in [", "]")));
    }
    if (a.appliesToSomething()) {
      out.append(" appliesTo {\n  principal: [")
          .append(
              a.principals().stream().map(t -> reference(t, ns)).collect(Collectors.joining(", ")))
          .append("],\n  resource: [")
          .append(
              a.resources().stream().map(t -> reference(t, ns)).collect(Collectors.joining(", ")))
          .append("],\n  context: ")
          .append(a.context().schemaText(ns))
          .append("\n}");
    }
    out.append(";\n");
  }
}
