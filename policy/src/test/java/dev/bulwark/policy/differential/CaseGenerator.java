package dev.bulwark.policy.differential;

import dev.bulwark.policy.differential.GenSchema.ActionDef;
import dev.bulwark.policy.differential.GenSchema.EntityDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
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

  /**
   * How a case is made beyond its seed.
   *
   * @param aimedShare the share of requests aimed at a policy's scope
   * @param templateChance the chance that a policy is a template (then linked 1-3 times)
   * @param jsonSafe no integer literal beyond 2^53 in policies, so Cedar's JSON for them survives
   *     JavaScript in the oracle
   * @param hasPaths some {@code has} tests written as attribute paths ({@code e has a.b})
   */
  record Options(double aimedShare, double templateChance, boolean jsonSafe, boolean hasPaths) {
    /** Static policies, most requests aimed at them. */
    static final Options DEFAULT = new Options(0.7, 0.0, false, true);
  }

  /**
   * The cases a differential test runs: {@code -D<countProperty>} of them (default {@code
   * defaultCount}), case {@code i} from seed {@code -Dcedar.diff.seed} (default 1) plus {@code i},
   * so that one case can be rerun alone.
   */
  static List<GeneratedCase> fromProperties(
      String countProperty, int defaultCount, Options options) {
    int count = Integer.getInteger(countProperty, defaultCount);
    long firstSeed = Long.getLong("cedar.diff.seed", 1L);
    List<GeneratedCase> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cases.add(generate(firstSeed + i, options));
    }
    return cases;
  }

  static GeneratedCase generate(long seed) {
    return generate(seed, Options.DEFAULT);
  }

  static GeneratedCase generate(long seed, Options options) {
    SplittableRandom rnd = new SplittableRandom(seed);
    GenSchema schema = schema(rnd);
    ValueWriter values = new ValueWriter(rnd, schema);
    boolean meantToValidate = rnd.nextBoolean();
    List<GenPolicy> policies =
        new PolicyWriter(rnd, schema, values, options).policySet(meantToValidate);
    ArrayNode entities = entities(rnd, schema, values);
    Hierarchy hierarchy = new Hierarchy(entities);
    List<String> texts = new ArrayList<>();
    Set<String> templateIds = new LinkedHashSet<>();
    List<GeneratedCase.Link> links = new ArrayList<>();
    List<GenPolicy.Aim> aims = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      GenPolicy p = policies.get(i);
      texts.add(p.text());
      if (!p.isTemplate()) {
        aims.add(p.aim());
        continue;
      }
      templateIds.add(GeneratedCase.id(i));
      int n = 1 + rnd.nextInt(3);
      for (int l = 0; l < n; l++) {
        ObjectNode slotValues = ValueWriter.NODES.objectNode();
        Optional<ObjectNode> principal = p.aim().principal();
        Optional<ObjectNode> resource = p.aim().resource();
        for (Map.Entry<String, List<String>> slot : new TreeMap<>(p.slots()).entrySet()) {
          String type = values.pick(slot.getValue());
          ObjectNode uid = ValueWriter.uid(type, values.entityId(type, 0.1));
          slotValues.set(slot.getKey(), uid);
          if (slot.getKey().equals("?principal")) {
            principal = Optional.of(uid);
          } else {
            resource = Optional.of(uid);
          }
        }
        links.add(
            new GeneratedCase.Link(
                GeneratedCase.id(i), "link" + links.size() + "_of_" + i, slotValues));
        GenPolicy.Aim a = p.aim();
        aims.add(
            new GenPolicy.Aim(
                a.action(), a.principalType(), principal, a.resourceType(), resource));
      }
    }
    List<GeneratedCase.GenRequest> requests = new ArrayList<>();
    int n = 4 + rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      requests.add(
          !aims.isEmpty() && rnd.nextDouble() < options.aimedShare()
              ? aimed(rnd, values, values.pick(aims), hierarchy)
              : request(rnd, schema, values));
    }
    return new GeneratedCase(
        seed, schema.cedarText(), entities, texts, templateIds, links, meantToValidate, requests);
  }

  /**
   * A request a policy's scope names: its action, and as principal and resource the entity the
   * scope names or one of its descendants of the scope's type (any entity of that type when the
   * scope names none), so that the policy's conditions decide.
   */
  private static GeneratedCase.GenRequest aimed(
      SplittableRandom rnd, ValueWriter values, GenPolicy.Aim aim, Hierarchy hierarchy) {
    return new GeneratedCase.GenRequest(
        aimedAt(rnd, values, aim.principalType(), aim.principal(), hierarchy),
        ValueWriter.uid(values.schema().actionType(), aim.action().name()),
        aimedAt(rnd, values, aim.resourceType(), aim.resource(), hierarchy),
        values.json(aim.action().context()));
  }

  private static ObjectNode aimedAt(
      SplittableRandom rnd,
      ValueWriter values,
      String type,
      Optional<ObjectNode> target,
      Hierarchy hierarchy) {
    if (target.isEmpty()) {
      return ValueWriter.uid(type, values.entityId(type, 0.1));
    }
    ObjectNode t = target.get();
    boolean sameType = t.path("type").asString().equals(type);
    List<ObjectNode> below = hierarchy.descendants(t, type);
    if (below.isEmpty() || sameType && rnd.nextDouble() < 0.4) {
      return sameType ? t : ValueWriter.uid(type, values.entityId(type, 0.1));
    }
    return values.pick(below);
  }

  /** The membership graph of generated entities, to find descendants of a scope's entity. */
  private static final class Hierarchy {
    private final Map<String, List<String>> parents = new LinkedHashMap<>();
    private final Map<String, ObjectNode> uids = new LinkedHashMap<>();

    Hierarchy(ArrayNode entities) {
      for (var e : entities) {
        String key = key(e.path("uid"));
        uids.put(key, (ObjectNode) e.path("uid"));
        List<String> ps = new ArrayList<>();
        e.path("parents").forEach(p -> ps.add(key(p)));
        parents.put(key, ps);
      }
    }

    private static String key(tools.jackson.databind.JsonNode uid) {
      return uid.path("type").asString() + "::" + ValueWriter.string(uid.path("id").asString());
    }

    /** Entities of {@code type} strictly below {@code ancestor}, in generation order. */
    List<ObjectNode> descendants(ObjectNode ancestor, String type) {
      String target = key(ancestor);
      List<ObjectNode> out = new ArrayList<>();
      for (Map.Entry<String, ObjectNode> e : uids.entrySet()) {
        if (e.getValue().path("type").asString().equals(type) && isBelow(e.getKey(), target)) {
          out.add(e.getValue());
        }
      }
      return out;
    }

    private boolean isBelow(String from, String target) {
      Set<String> seen = new java.util.HashSet<>();
      java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(parents.get(from));
      while (!todo.isEmpty()) {
        String p = todo.pop();
        if (p.equals(target)) {
          return true;
        }
        if (seen.add(p)) {
          todo.addAll(parents.getOrDefault(p, List.of()));
        }
      }
      return false;
    }
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
    // Two namespaces may declare the same simple name (App::User, Org::Iam::User); inside each, the
    // simple name must mean the namespace's own type. (The empty namespace never shares a name: a
    // type there could not be named from a namespace that shadows it.)
    if (namespaced && rnd.nextDouble() < 0.4) {
      List<String> inNs = names.stream().filter(t -> !GenSchema.namespaceOf(t).isEmpty()).toList();
      if (!inNs.isEmpty()) {
        String t = inNs.get(rnd.nextInt(inNs.size()));
        String other = GenSchema.namespaceOf(t).equals("App") ? "Org::Iam" : "App";
        names.add(GenSchema.qualify(other, GenSchema.simpleName(t)));
        count = names.size();
      }
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
