package dev.bulwark.policy.differential;

import dev.bulwark.policy.differential.GenSchema.ActionDef;
import dev.bulwark.policy.differential.GenSchema.EntityDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random but meaningful Cedar test cases, reproducible from a seed: a schema (types and actions
 * spread over namespaces, referring across them) with a membership hierarchy, attributes of every
 * type, tags, an enum and action groups; entities and requests that conform to it; and policies
 * over the whole expression language, half of the cases meant to pass strict validation and half
 * not.
 */
final class CaseGenerator {
  private static final List<String> TYPE_NAMES =
      List.of("User", "Group", "Doc", "Folder", "Device");
  private static final List<String> ATTR_NAMES =
      List.of(
          "name", "level", "owner", "labels", "info", "addr", "score", "since", "ttl", "active",
          "friends", "color", "limits", "boss");
  private static final List<String> ACTION_NAMES = List.of("view", "edit", "delete", "share");

  /** Namespaces types and actions are put in: none, one segment, two. */
  private static final List<String> NAMESPACES = List.of("", "App", "Org::Iam");

  static final List<String> TAG_KEYS = List.of("k1", "k2", "k3");

  private CaseGenerator() {}

  static GeneratedCase generate(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    GenSchema schema = schema(rnd);
    ValueWriter values = new ValueWriter(rnd, schema);
    boolean meantToValidate = rnd.nextBoolean();
    String policies = new PolicyWriter(rnd, schema, values).policySet(meantToValidate);
    List<GeneratedCase.GenRequest> requests = new ArrayList<>();
    int n = 4 + rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      requests.add(request(rnd, schema, values));
    }
    return new GeneratedCase(
        seed,
        schema.cedarText(),
        entities(rnd, schema, values),
        policies,
        meantToValidate,
        requests);
  }

  private static GenSchema schema(SplittableRandom rnd) {
    int count = 3 + rnd.nextInt(TYPE_NAMES.size() - 2);
    // A third of the schemas have no namespace; the others spread types and actions over them,
    // so that references cross namespaces.
    boolean namespaced = rnd.nextDouble() < 0.67;
    List<String> names = new ArrayList<>();
    for (String simple : TYPE_NAMES.subList(0, count)) {
      names.add(GenSchema.qualify(namespace(rnd, namespaced), simple));
    }
    String color = GenSchema.qualify(namespace(rnd, namespaced), "Color");
    String actionNs = namespace(rnd, namespaced);
    List<String> all = new ArrayList<>(names);
    all.add(color);
    List<EntityDef> entities = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<String> memberOf = new ArrayList<>();
      for (int j = i; j < count; j++) {
        if (rnd.nextDouble() < (j == i ? 0.2 : 0.35)) {
          memberOf.add(names.get(j));
        }
      }
      Map<String, GenType.Attr> attrs = new LinkedHashMap<>();
      int n = 1 + rnd.nextInt(5);
      for (int a = 0; a < n; a++) {
        attrs.put(
            ATTR_NAMES.get(rnd.nextInt(ATTR_NAMES.size())),
            new GenType.Attr(type(rnd, all, 0), rnd.nextDouble() < 0.65));
      }
      Optional<GenType> tags =
          rnd.nextDouble() < 0.45
              ? Optional.of(
                  List.<GenType>of(
                          GenType.Prim.STRING,
                          GenType.Prim.LONG,
                          new GenType.SetOf(GenType.Prim.STRING))
                      .get(rnd.nextInt(3)))
              : Optional.empty();
      entities.add(new EntityDef(names.get(i), memberOf, new GenType.Rec(attrs), tags, List.of()));
    }
    entities.add(
        new EntityDef(
            color,
            List.of(),
            new GenType.Rec(Map.of()),
            Optional.empty(),
            List.of("red", "green", "blue")));
    List<ActionDef> actions = new ArrayList<>();
    actions.add(new ActionDef("all", List.of(), List.of(), List.of(), new GenType.Rec(Map.of())));
    actions.add(
        new ActionDef("readOnly", List.of("all"), List.of(), List.of(), new GenType.Rec(Map.of())));
    int nActions = 2 + rnd.nextInt(3);
    for (int i = 0; i < nActions; i++) {
      List<String> groups = new ArrayList<>();
      if (rnd.nextDouble() < 0.6) {
        groups.add(rnd.nextBoolean() ? "all" : "readOnly");
      }
      Map<String, GenType.Attr> ctx = new LinkedHashMap<>();
      int n = rnd.nextInt(4);
      for (int a = 0; a < n; a++) {
        ctx.put(
            ATTR_NAMES.get(rnd.nextInt(ATTR_NAMES.size())),
            new GenType.Attr(type(rnd, all, 0), rnd.nextDouble() < 0.7));
      }
      actions.add(
          new ActionDef(
              ACTION_NAMES.get(i),
              groups,
              someOf(rnd, names),
              someOf(rnd, names),
              new GenType.Rec(ctx)));
    }
    return new GenSchema(entities, actions, actionNs);
  }

  private static String namespace(SplittableRandom rnd, boolean namespaced) {
    return namespaced ? NAMESPACES.get(rnd.nextInt(NAMESPACES.size())) : "";
  }

  private static List<String> someOf(SplittableRandom rnd, List<String> names) {
    List<String> out = new ArrayList<>();
    out.add(names.get(rnd.nextInt(names.size())));
    if (rnd.nextDouble() < 0.4) {
      String other = names.get(rnd.nextInt(names.size()));
      if (!out.contains(other)) {
        out.add(other);
      }
    }
    return out;
  }

  private static GenType type(SplittableRandom rnd, List<String> entityTypes, int depth) {
    int k = rnd.nextInt(depth >= 1 ? 9 : 11);
    return switch (k) {
      case 0, 1 -> GenType.Prim.LONG;
      case 2, 3 -> GenType.Prim.STRING;
      case 4 -> GenType.Prim.BOOL;
      case 5 -> GenType.Ext.values()[rnd.nextInt(4)];
      case 6, 7 -> new GenType.Ent(entityTypes.get(rnd.nextInt(entityTypes.size())));
      case 8 -> GenType.Ext.values()[rnd.nextInt(4)];
      case 9 -> new GenType.SetOf(type(rnd, entityTypes, depth + 1));
      default -> {
        Map<String, GenType.Attr> attrs = new LinkedHashMap<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
          attrs.put(
              ATTR_NAMES.get(rnd.nextInt(ATTR_NAMES.size())),
              new GenType.Attr(type(rnd, entityTypes, depth + 1), rnd.nextDouble() < 0.6));
        }
        yield new GenType.Rec(attrs);
      }
    };
  }

  private static ArrayNode entities(SplittableRandom rnd, GenSchema schema, ValueWriter values) {
    ArrayNode out = ValueWriter.NODES.arrayNode();
    for (EntityDef type : schema.entities()) {
      if (type.isEnum()) {
        continue;
      }
      List<String> ids = ValueWriter.ids(type);
      for (int i = 0; i < ids.size(); i++) {
        ObjectNode e = ValueWriter.NODES.objectNode();
        e.set("uid", ValueWriter.uid(type.name(), ids.get(i)));
        e.set("attrs", values.json(type.shape()));
        ArrayNode parents = ValueWriter.NODES.arrayNode();
        for (String parentType : type.memberOf()) {
          List<String> parentIds = ValueWriter.ids(schema.entity(parentType));
          // Members of their own type point only to earlier ids, so the hierarchy has no cycle.
          int limit = parentType.equals(type.name()) ? i : parentIds.size();
          for (int p = 0; p < limit; p++) {
            if (rnd.nextDouble() < 0.45) {
              parents.add(ValueWriter.uid(parentType, parentIds.get(p)));
            }
          }
        }
        e.set("parents", parents);
        if (type.tags().isPresent()) {
          ObjectNode tags = ValueWriter.NODES.objectNode();
          for (String key : TAG_KEYS) {
            if (rnd.nextDouble() < 0.5) {
              tags.set(key, values.json(type.tags().get()));
            }
          }
          e.set("tags", tags);
        }
        out.add(e);
      }
    }
    return out;
  }

  private static GeneratedCase.GenRequest request(
      SplittableRandom rnd, GenSchema schema, ValueWriter values) {
    ActionDef action = values.pick(schema.requestable());
    String p = values.pick(action.principals());
    String r = values.pick(action.resources());
    return new GeneratedCase.GenRequest(
        ValueWriter.uid(p, values.entityId(p, 0.1)),
        ValueWriter.uid(schema.actionType(), action.name()),
        ValueWriter.uid(r, values.entityId(r, 0.1)),
        values.json(action.context()));
  }
}
