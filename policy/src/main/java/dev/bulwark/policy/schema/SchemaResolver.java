package dev.bulwark.policy.schema;

import dev.bulwark.policy.schema.RawSchema.Kind;
import dev.bulwark.policy.schema.RawSchema.RawAction;
import dev.bulwark.policy.schema.RawSchema.RawActionRef;
import dev.bulwark.policy.schema.RawSchema.RawAttr;
import dev.bulwark.policy.schema.RawSchema.RawCommon;
import dev.bulwark.policy.schema.RawSchema.RawEntity;
import dev.bulwark.policy.schema.RawSchema.RawName;
import dev.bulwark.policy.schema.RawSchema.RawRecord;
import dev.bulwark.policy.schema.RawSchema.RawSet;
import dev.bulwark.policy.schema.RawSchema.RawType;
import dev.bulwark.policy.schema.SchemaType.Attribute;
import dev.bulwark.policy.schema.SchemaType.EntityType;
import dev.bulwark.policy.schema.SchemaType.Extension;
import dev.bulwark.policy.schema.SchemaType.ExtensionType;
import dev.bulwark.policy.schema.SchemaType.RecordType;
import dev.bulwark.policy.schema.SchemaType.SetType;
import dev.bulwark.policy.value.CedarText;
import dev.bulwark.policy.value.EntityUid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a schema as written into a {@link Schema}: checks declarations are unique, resolves type
 * names and action references, replaces common types by their definitions and computes the action
 * hierarchy.
 *
 * <p>Name resolution follows Cedar (RFC 24, RFC 64, RFC 70): an unqualified name written in
 * namespace {@code N} is looked up as a common type {@code N::name}, then an entity type {@code
 * N::name}, then the same two in the empty namespace, then as a builtin ({@code Bool}, {@code
 * Long}, {@code String}, the extension types); {@code __cedar::name} always names a builtin.
 * Declarations in a namespace may not shadow entity or common types (or actions) of the empty
 * namespace.
 */
final class SchemaResolver {
  private static final String CEDAR_PREFIX = "__cedar::";

  /** Names a common type may not take: they are type keywords of the JSON format. */
  private static final Set<String> RESERVED_TYPE_NAMES =
      Set.of("Bool", "Boolean", "Entity", "Extension", "Long", "Record", "Set", "String");

  private final Map<String, RawEntity> entities = new LinkedHashMap<>();
  private final Map<String, RawCommon> commons = new LinkedHashMap<>();
  private final Map<EntityUid, RawAction> actions = new LinkedHashMap<>();
  private final Map<String, SchemaType> resolvedCommons = new HashMap<>();
  private final List<String> resolving = new ArrayList<>();

  private SchemaResolver() {}

  static Schema resolve(RawSchema raw) {
    return new SchemaResolver().run(raw);
  }

  private Schema run(RawSchema raw) {
    declare(raw);
    checkShadowing();
    Map<String, EntityTypeDef> entityDefs = new LinkedHashMap<>();
    for (RawEntity e : entities.values()) {
      entityDefs.put(RawSchema.qualify(e.namespace(), e.name()), entity(e));
    }
    for (RawCommon c : commons.values()) {
      common(RawSchema.qualify(c.namespace(), c.name()));
    }
    Map<EntityUid, List<EntityUid>> parents = new LinkedHashMap<>();
    for (Map.Entry<EntityUid, RawAction> a : actions.entrySet()) {
      List<EntityUid> resolved = new ArrayList<>();
      for (RawActionRef ref : a.getValue().memberOf()) {
        resolved.add(actionRef(ref, a.getValue().namespace()));
      }
      parents.put(a.getKey(), resolved);
    }
    Map<EntityUid, ActionDef> actionDefs = new LinkedHashMap<>();
    for (Map.Entry<EntityUid, RawAction> a : actions.entrySet()) {
      actionDefs.put(a.getKey(), action(a.getKey(), a.getValue(), parents));
    }
    return new Schema(entityDefs, actionDefs);
  }

  private void declare(RawSchema raw) {
    for (RawEntity e : raw.entities) {
      String name = RawSchema.qualify(e.namespace(), e.name());
      RawEntity previous = entities.putIfAbsent(name, e);
      if (previous != null) {
        throw new SchemaException(
            e.where(),
            "duplicate declaration of entity type "
                + name
                + " (first at "
                + previous.where()
                + ")");
      }
    }
    for (RawCommon c : raw.commonTypes) {
      if (RESERVED_TYPE_NAMES.contains(c.name())) {
        throw new SchemaException(
            c.where(),
            "common type name "
                + c.name()
                + " is reserved (expected a name other than "
                + RESERVED_TYPE_NAMES.stream().sorted().toList()
                + ")");
      }
      String name = RawSchema.qualify(c.namespace(), c.name());
      RawCommon previous = commons.putIfAbsent(name, c);
      if (previous != null) {
        throw new SchemaException(
            c.where(),
            "duplicate declaration of common type "
                + name
                + " (first at "
                + previous.where()
                + ")");
      }
    }
    for (RawAction a : raw.actions) {
      EntityUid uid = EntityUid.of(RawSchema.qualify(a.namespace(), "Action"), a.id());
      RawAction previous = actions.putIfAbsent(uid, a);
      if (previous != null) {
        throw new SchemaException(
            a.where(),
            "duplicate declaration of action " + uid + " (first at " + previous.where() + ")");
      }
    }
  }

  private void checkShadowing() {
    for (RawEntity e : entities.values()) {
      shadowing(e.namespace(), e.name(), e.where(), "entity type");
    }
    for (RawCommon c : commons.values()) {
      shadowing(c.namespace(), c.name(), c.where(), "common type");
    }
    for (Map.Entry<EntityUid, RawAction> a : actions.entrySet()) {
      RawAction action = a.getValue();
      EntityUid global = EntityUid.of("Action", action.id());
      if (!action.namespace().isEmpty() && actions.containsKey(global)) {
        throw new SchemaException(
            action.where(),
            "action "
                + a.getKey()
                + " shadows action "
                + global
                + " of the empty namespace (expected: a distinct name)");
      }
    }
  }

  private void shadowing(String namespace, String name, String where, String what) {
    if (namespace.isEmpty()) {
      return;
    }
    String shadowed =
        entities.containsKey(name) ? "entity type" : commons.containsKey(name) ? "common type" : "";
    if (!shadowed.isEmpty()) {
      throw new SchemaException(
          where,
          what
              + " "
              + RawSchema.qualify(namespace, name)
              + " shadows "
              + shadowed
              + " "
              + name
              + " of the empty namespace (expected: a distinct name)");
    }
  }

  private EntityTypeDef entity(RawEntity e) {
    String name = RawSchema.qualify(e.namespace(), e.name());
    Set<String> memberOf = new LinkedHashSet<>();
    for (RawName parent : e.memberOf()) {
      memberOf.add(entityName(parent, e.namespace()));
    }
    SchemaType shape = type(e.shape(), e.namespace());
    if (!(shape instanceof RecordType record)) {
      throw new SchemaException(
          e.shape().where(), "shape of " + name + ": " + shape + " (expected: a record type)");
    }
    Optional<SchemaType> tags = e.tags().map(t -> type(t, e.namespace()));
    e.enumIds()
        .ifPresent(
            ids -> {
              if (ids.isEmpty()) {
                throw new SchemaException(
                    e.where(),
                    "enumerated entity type " + name + " has no ids (expected: at least one)");
              }
              Set<String> seen = new HashSet<>();
              for (String id : ids) {
                if (!seen.add(id)) {
                  throw new SchemaException(
                      e.where(),
                      "enumerated entity type "
                          + name
                          + " lists "
                          + CedarText.quote(id)
                          + " twice (expected: distinct ids)");
                }
              }
            });
    return new EntityTypeDef(name, memberOf, record, tags, e.enumIds());
  }

  private ActionDef action(EntityUid uid, RawAction raw, Map<EntityUid, List<EntityUid>> parents) {
    Set<EntityUid> ancestors = new LinkedHashSet<>();
    collectAncestors(uid, parents, new ArrayList<>(List.of(uid)), ancestors, raw.where());
    Set<String> principals = new LinkedHashSet<>();
    Set<String> resources = new LinkedHashSet<>();
    RecordType context = RecordType.EMPTY;
    if (raw.appliesTo().isPresent()) {
      RawSchema.RawAppliesTo applies = raw.appliesTo().get();
      for (RawName p : applies.principals()) {
        principals.add(entityName(p, raw.namespace()));
      }
      for (RawName r : applies.resources()) {
        resources.add(entityName(r, raw.namespace()));
      }
      SchemaType ctx = type(applies.context(), raw.namespace());
      if (!(ctx instanceof RecordType record)) {
        throw new SchemaException(
            applies.context().where(),
            "context of action " + uid + ": " + ctx + " (expected: a record type)");
      }
      context = record;
    }
    return new ActionDef(
        uid, new LinkedHashSet<>(parents.get(uid)), ancestors, principals, resources, context);
  }

  private static void collectAncestors(
      EntityUid current,
      Map<EntityUid, List<EntityUid>> parents,
      List<EntityUid> path,
      Set<EntityUid> out,
      String where) {
    for (EntityUid parent : parents.get(current)) {
      if (path.contains(parent)) {
        List<EntityUid> cycle = new ArrayList<>(path.subList(path.indexOf(parent), path.size()));
        cycle.add(parent);
        throw new SchemaException(
            where,
            "the action hierarchy has a cycle: "
                + String.join(" in ", cycle.stream().map(EntityUid::toString).toList())
                + " (expected: no action a member of itself)");
      }
      if (out.add(parent)) {
        path.add(parent);
        collectAncestors(parent, parents, path, out, where);
        path.removeLast();
      }
    }
  }

  private EntityUid actionRef(RawActionRef ref, String namespace) {
    List<EntityUid> candidates = new ArrayList<>();
    if (ref.type().isEmpty()) {
      candidates.add(EntityUid.of(RawSchema.qualify(namespace, "Action"), ref.id()));
      candidates.add(EntityUid.of("Action", ref.id()));
    } else {
      String type = ref.type().get();
      if (!type.equals("Action") && !type.endsWith("::Action")) {
        throw new SchemaException(
            ref.where(),
            "action group "
                + type
                + "::"
                + CedarText.quote(ref.id())
                + " (expected: an action, of type Action or Namespace::Action)");
      }
      if (!type.contains("::")) {
        candidates.add(EntityUid.of(RawSchema.qualify(namespace, type), ref.id()));
      }
      candidates.add(EntityUid.of(type, ref.id()));
    }
    for (EntityUid candidate : candidates) {
      if (actions.containsKey(candidate)) {
        return candidate;
      }
    }
    throw new SchemaException(
        ref.where(),
        "undeclared action " + candidates.getFirst() + " (expected: a declared action)");
  }

  private SchemaType type(RawType raw, String namespace) {
    return switch (raw) {
      case RawSet s -> new SetType(type(s.element(), namespace));
      case RawRecord r -> {
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, RawAttr> a : r.attributes().entrySet()) {
          attributes.put(
              a.getKey(),
              new Attribute(type(a.getValue().type(), namespace), a.getValue().required()));
        }
        yield RecordType.of(attributes);
      }
      case RawName n -> named(n, namespace);
    };
  }

  private String entityName(RawName raw, String namespace) {
    RawName asEntity = new RawName(raw.name(), Kind.ENTITY, raw.where());
    return ((EntityType) named(asEntity, namespace)).name();
  }

  private SchemaType named(RawName raw, String namespace) {
    String name = raw.name();
    boolean entityOnly = raw.kind() == Kind.ENTITY;
    boolean commonOnly = raw.kind() == Kind.COMMON;
    if (name.startsWith(CEDAR_PREFIX)) {
      String builtin = name.substring(CEDAR_PREFIX.length());
      Optional<SchemaType> found = builtin(builtin);
      if (found.isEmpty() || entityOnly) {
        throw new SchemaException(
            raw.where(),
            name
                + (entityOnly
                    ? " (expected: an entity type)"
                    : " (expected: __cedar::Bool, __cedar::Long, __cedar::String or an extension"
                        + " type)"));
      }
      return found.get();
    }
    boolean qualified = name.contains("::");
    List<String> candidates =
        qualified || namespace.isEmpty()
            ? List.of(name)
            : List.of(RawSchema.qualify(namespace, name), name);
    for (String candidate : candidates) {
      if (!entityOnly && commons.containsKey(candidate)) {
        return common(candidate);
      }
      if (!commonOnly && entities.containsKey(candidate)) {
        return new EntityType(candidate);
      }
    }
    // A name that is not declared falls back to the builtin of that name, for a JSON
    // {"type": "Bool"} as much as for Cedar syntax: Cedar writes resolved schemas that way.
    if (!qualified && !entityOnly) {
      Optional<SchemaType> found = builtin(name);
      if (found.isPresent()) {
        return found.get();
      }
    }
    String what = entityOnly ? "entity type" : commonOnly ? "common type" : "type";
    String expected =
        entityOnly
            ? "a declared entity type"
            : commonOnly
                ? "a declared common type"
                : "a declared common or entity type, or a builtin";
    throw new SchemaException(
        raw.where(),
        "undeclared "
            + what
            + " "
            + name
            + " (expected: "
            + expected
            + (candidates.size() > 1 ? "; looked for " + String.join(" and ", candidates) : "")
            + ")");
  }

  private SchemaType common(String name) {
    SchemaType done = resolvedCommons.get(name);
    if (done != null) {
      return done;
    }
    RawCommon raw = commons.get(name);
    if (resolving.contains(name)) {
      List<String> cycle =
          new ArrayList<>(resolving.subList(resolving.indexOf(name), resolving.size()));
      cycle.add(name);
      throw new SchemaException(
          raw.where(),
          "common types form a cycle: "
              + String.join(" -> ", cycle)
              + " (expected: common types that do not refer to themselves)");
    }
    resolving.add(name);
    SchemaType type = type(raw.type(), raw.namespace());
    resolving.removeLast();
    resolvedCommons.put(name, type);
    return type;
  }

  private static Optional<SchemaType> builtin(String name) {
    return switch (name) {
      case "Bool" -> Optional.of(SchemaType.BOOL);
      case "Long" -> Optional.of(SchemaType.LONG);
      case "String" -> Optional.of(SchemaType.STRING);
      default -> Extension.named(name).map(ExtensionType::new);
    };
  }
}
