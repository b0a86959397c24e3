package dev.bulwark.policy.differential;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A generated schema: entity types (one of them an enum), actions and action groups. */
record GenSchema(List<EntityDef> entities, List<ActionDef> actions) {
  GenSchema {
    entities = List.copyOf(entities);
    actions = List.copyOf(actions);
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

  String cedarText() {
    StringBuilder out = new StringBuilder();
    for (EntityDef e : entities) {
      out.append("entity ").append(e.name());
      if (e.isEnum()) {
        out.append(
            e.enumIds().stream()
                .map(id -> "\"" + id + "\"")
                .collect(Collectors.joining(", ", " enum [", "];\n")));
        continue;
      }
      if (!e.memberOf().isEmpty()) {
        out.append(" in [").append(String.join(", ", e.memberOf())).append("]");
      }
      out.append(" = ").append(e.shape().schemaText());
      e.tags().ifPresent(t -> out.append(" tags ").append(t.schemaText()));
      out.append(";\n");
    }
    for (ActionDef a : actions) {
      out.append("action \"").append(a.name()).append("\"");
      if (!a.memberOf().isEmpty()) {
        out.append(
            a.memberOf().stream()
                .map(g -> "\"" + g + "\"")
                .collect(Collectors.joining(", ", " in [", "]")));
      }
      if (a.appliesToSomething()) {
        out.append(" appliesTo {\n  principal: [")
            .append(String.join(", ", a.principals()))
            .append("],\n  resource: [")
            .append(String.join(", ", a.resources()))
            .append("],\n  context: ")
            .append(a.context().schemaText())
            .append("\n}");
      }
      out.append(";\n");
    }
    return out.toString();
  }
}
