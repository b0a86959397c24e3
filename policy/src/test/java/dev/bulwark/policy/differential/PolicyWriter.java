package dev.bulwark.policy.differential;

import dev.bulwark.policy.differential.GenSchema.ActionDef;
import dev.bulwark.policy.differential.GenSchema.EntityDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random Cedar policies over the whole expression language, typed against one request environment
 * (principal type, action, resource type) so that most of them mean something. A policy meant to
 * validate guards optional attributes and tags with {@code has} / {@code hasTag} and narrows its
 * scope to that environment; a broken one mixes in ill-typed expressions and drops guards. Both
 * kinds also contain expressions that validate but fail at run time (overflow, attributes of
 * entities that do not exist).
 */
final class PolicyWriter {
  private final SplittableRandom rnd;
  private final GenSchema schema;
  private final ValueWriter values;
  private final double templateChance;
  private final boolean jsonSafe;
  private final boolean hasPaths;

  // The environment of the policy being written.
  private String principalType = "";
  private String resourceType = "";
  private ActionDef action;
  private boolean broken;
  private List<Path> paths = List.of();
  // What the scope being written names: the entity of "==" / "in", the types a slot may take.
  private Optional<ObjectNode> scopeTarget = Optional.empty();
  private final Map<String, List<String>> slots = new LinkedHashMap<>();

  /** An expression reaching a value, and the has/hasTag tests that make reaching it safe. */
  private record Path(String expr, GenType type, List<String> guards) {}

  /** A writer of static policies only. */
  PolicyWriter(SplittableRandom rnd, GenSchema schema, ValueWriter values) {
    this(rnd, schema, values, CaseGenerator.Options.DEFAULT);
  }

  /**
   * A writer that makes a policy a template (a slot in its principal or resource scope or both)
   * with the options' template chance, writes no integer literal beyond 2^53 when they ask for
   * JSON-safe policies, and writes attribute paths in {@code has} when they ask for them.
   */
  PolicyWriter(
      SplittableRandom rnd, GenSchema schema, ValueWriter values, CaseGenerator.Options options) {
    this.rnd = rnd;
    this.schema = schema;
    this.values = values;
    this.templateChance = options.templateChance();
    this.jsonSafe = options.jsonSafe();
    this.hasPaths = options.hasPaths();
    this.action = schema.requestable().getFirst();
  }

  List<GenPolicy> policySet(boolean meantToValidate) {
    int n = 3 + rnd.nextInt(5);
    int brokenCount = meantToValidate ? 0 : 1 + rnd.nextInt(2);
    List<Integer> brokenAt = new ArrayList<>();
    while (brokenAt.size() < Math.min(brokenCount, n)) {
      int i = rnd.nextInt(n);
      if (!brokenAt.contains(i)) {
        brokenAt.add(i);
      }
    }
    List<GenPolicy> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(policy(brokenAt.contains(i)));
    }
    return out;
  }

  private GenPolicy policy(boolean broken) {
    this.broken = broken;
    action = values.pick(schema.requestable());
    principalType = values.pick(action.principals());
    resourceType = values.pick(action.resources());
    paths = paths();
    slots.clear();
    // 0: a slot for the principal, 1: for the resource, 2: both.
    int slotted = templateChance > 0 && rnd.nextDouble() < templateChance ? rnd.nextInt(3) : -1;
    StringBuilder out = new StringBuilder();
    if (rnd.nextDouble() < 0.2) {
      out.append("@advice(")
          .append(ValueWriter.string(values.pick(ValueWriter.STRINGS)))
          .append(")\n");
    }
    out.append(rnd.nextDouble() < 0.7 ? "permit" : "forbid")
        .append(" (\n  ")
        .append(
            slotted == 0 || slotted == 2
                ? slot("principal", principalType, action.principals())
                : scope("principal", principalType, action.principals()));
    Optional<ObjectNode> principal = scopeTarget;
    out.append(",\n  ")
        .append(actionScope())
        .append(",\n  ")
        .append(
            slotted >= 1
                ? slot("resource", resourceType, action.resources())
                : scope("resource", resourceType, action.resources()))
        .append("\n)");
    Optional<ObjectNode> resource = scopeTarget;
    int conditions = rnd.nextInt(3) + (broken ? 1 : 0);
    int badAt = rnd.nextInt(Math.max(conditions, 1));
    for (int c = 0; c < conditions; c++) {
      String body = bool(3);
      if (broken && c == badAt) {
        body =
            rnd.nextBoolean()
                ? "(" + body + " && " + bad() + ")"
                : "(" + bad() + " || " + body + ")";
      }
      out.append(rnd.nextDouble() < 0.75 ? "\nwhen { " : "\nunless { ").append(body).append(" }");
    }
    return new GenPolicy(
        out.append(";").toString(),
        new GenPolicy.Aim(action, principalType, principal, resourceType, resource),
        slots);
  }

  /**
   * A slot in a scope, remembering the types a link may fill it with. Cedar validates a template
   * for every type its scope allows, not for its links' types, so one meant to validate names its
   * type unless the action allows only that one.
   */
  private String slot(String var, String type, List<String> allowed) {
    scopeTarget = Optional.empty();
    String slot = "?" + var;
    boolean typed = !broken && allowed.size() > 1;
    return switch (typed ? 2 : rnd.nextInt(3)) {
      case 0 -> {
        slots.put(slot, List.of(type));
        yield var + " == " + slot;
      }
      case 1 -> {
        slots.put(slot, schema.ancestorsOrSelf(type));
        yield var + " in " + slot;
      }
      default -> {
        slots.put(slot, schema.ancestorsOrSelf(type));
        yield var + " is " + type + " in " + slot;
      }
    };
  }

  private String scope(String var, String type, List<String> allowed) {
    scopeTarget = Optional.empty();
    double d = rnd.nextDouble();
    boolean loose = broken && rnd.nextBoolean();
    if (d < 0.15 && (loose || allowed.size() == 1)) {
      return var;
    }
    if (d < 0.4) {
      return var + " is " + type;
    }
    if (d < 0.65) {
      String id = values.entityId(type, 0.1);
      scopeTarget = Optional.of(ValueWriter.uid(type, id));
      return var + " == " + type + "::" + ValueWriter.string(id);
    }
    String group = values.pick(schema.ancestorsOrSelf(type));
    String id = values.entityId(group, 0.1);
    scopeTarget = Optional.of(ValueWriter.uid(group, id));
    String target = group + "::" + ValueWriter.string(id);
    if (d < 0.85 || loose && allowed.size() == 1) {
      return var + " is " + type + " in " + target;
    }
    if (loose || allowed.size() == 1) {
      return var + " in " + target;
    }
    scopeTarget = Optional.empty();
    return var + " is " + type;
  }

  private String actionScope() {
    String self = schema.actionRef(action.name());
    double d = rnd.nextDouble();
    if (broken && rnd.nextBoolean()) {
      if (d < 0.3) {
        return "action";
      }
      if (d < 0.6) {
        return "action in ["
            + self
            + ", "
            + schema.actionRef(values.pick(schema.requestable()).name())
            + "]";
      }
      return "action in " + schema.actionRef(rnd.nextBoolean() ? "all" : "readOnly");
    }
    return d < 0.75 ? "action == " + self : "action in [" + self + "]";
  }

  // ---- paths: attributes, nested records, entity references and tags reachable in this env

  private List<Path> paths() {
    List<Path> out = new ArrayList<>();
    addEntityPaths(out, "principal", principalType, List.of(), 2);
    addEntityPaths(out, "resource", resourceType, List.of(), 2);
    addRecordPaths(out, "context", action.context(), List.of(), 2);
    return out;
  }

  private void addEntityPaths(
      List<Path> out, String expr, String type, List<String> guards, int depth) {
    EntityDef def = schema.entity(type);
    if (def.isEnum()) {
      return;
    }
    addRecordPaths(out, expr, def.shape(), guards, depth);
    def.tags()
        .ifPresent(
            t -> {
              for (String key : CaseGenerator.TAG_KEYS) {
                String k = ValueWriter.string(key);
                out.add(
                    new Path(
                        expr + ".getTag(" + k + ")", t, plus(guards, expr + ".hasTag(" + k + ")")));
              }
            });
  }

  private void addRecordPaths(
      List<Path> out, String expr, GenType.Rec rec, List<String> guards, int depth) {
    for (Map.Entry<String, GenType.Attr> e : rec.attrs().entrySet()) {
      String name = e.getKey();
      List<String> g =
          e.getValue().required() ? guards : plus(guards, "(" + hasTest(expr, name) + ")");
      String access = rnd.nextDouble() < 0.15 ? expr + "[\"" + name + "\"]" : expr + "." + name;
      GenType t = e.getValue().type();
      out.add(new Path(access, t, g));
      if (depth > 0 && t instanceof GenType.Rec r) {
        addRecordPaths(out, access, r, g, depth - 1);
      }
      if (depth > 0 && t instanceof GenType.Ent ent) {
        addEntityPaths(out, access, ent.name(), g, depth - 1);
      }
    }
  }

  /**
   * {@code expr has name}, sometimes as Cedar 4's attribute path {@code base has a.name} when
   * {@code expr} is {@code base.a} (the same test, as the earlier guards already ensure {@code base
   * has a}); Cedar's JSON writes that as {@code "has": {"attr": ["a", "name"]}}.
   */
  private String hasTest(String expr, String name) {
    java.util.regex.Matcher dotted =
        java.util.regex.Pattern.compile("(.+)\\.([a-z]+)").matcher(expr);
    if (hasPaths && dotted.matches() && rnd.nextDouble() < 0.4) {
      return dotted.group(1) + " has " + dotted.group(2) + "." + name;
    }
    return expr + " has " + name;
  }

  private static List<String> plus(List<String> list, String item) {
    List<String> out = new ArrayList<>(list);
    out.add(item);
    return out;
  }

  /** A path of a type, its guards added to {@code guards} (or dropped, in a broken policy). */
  private String path(GenType type, List<String> guards) {
    List<Path> fit = paths.stream().filter(p -> p.type().equals(type)).toList();
    if (fit.isEmpty()) {
      return "";
    }
    Path p = values.pick(fit);
    if (!(broken && rnd.nextDouble() < 0.3)) {
      for (String g : p.guards()) {
        if (!guards.contains(g)) {
          guards.add(g);
        }
      }
    }
    return p.expr();
  }

  private GenType anyPathType() {
    return paths.isEmpty() ? GenType.Prim.LONG : values.pick(paths).type();
  }

  // ---- expressions

  String bool(int depth) {
    if (depth <= 0) {
      return atom(0);
    }
    return switch (rnd.nextInt(10)) {
      case 0 -> "(" + bool(depth - 1) + " && " + bool(depth - 1) + ")";
      case 1 -> "(" + bool(depth - 1) + " || " + bool(depth - 1) + ")";
      case 2 -> "!" + bool(depth - 1);
      case 3 ->
          "(if " + bool(depth - 1) + " then " + bool(depth - 1) + " else " + bool(depth - 1) + ")";
      default -> atom(depth - 1);
    };
  }

  /** A boolean test, conjoined after the guards its sub-expressions need. */
  private String atom(int depth) {
    List<String> guards = new ArrayList<>();
    String a = rawAtom(depth, guards);
    if (guards.isEmpty()) {
      return a;
    }
    return "(" + String.join(" && ", guards) + " && " + a + ")";
  }

  private String rawAtom(int depth, List<String> g) {
    switch (rnd.nextInt(17)) {
      case 0:
        return rnd.nextBoolean() ? "true" : "false";
      case 1:
        {
          String op = values.pick(List.of("<", "<=", ">", ">=", "==", "!="));
          return "("
              + expr(GenType.Prim.LONG, depth, g)
              + " "
              + op
              + " "
              + expr(GenType.Prim.LONG, depth, g)
              + ")";
        }
      case 2:
        {
          GenType t = rnd.nextBoolean() ? GenType.Ext.DATETIME : GenType.Ext.DURATION;
          String op = values.pick(List.of("<", "<=", ">", ">="));
          return "(" + expr(t, depth, g) + " " + op + " " + expr(t, depth, g) + ")";
        }
      case 3, 4:
        {
          GenType t = anyPathType();
          return "("
              + expr(t, depth, g)
              + (rnd.nextBoolean() ? " == " : " != ")
              + expr(t, depth, g)
              + ")";
        }
      case 5:
        {
          List<Path> records =
              paths.stream()
                  .filter(p -> p.type() instanceof GenType.Rec || p.type() instanceof GenType.Ent)
                  .toList();
          String target;
          List<String> names;
          if (records.isEmpty() || rnd.nextDouble() < 0.3) {
            target = values.pick(List.of("principal", "resource", "context"));
            names =
                new ArrayList<>(
                    target.equals("context")
                        ? action.context().attrs().keySet()
                        : schema
                            .entity(target.equals("principal") ? principalType : resourceType)
                            .shape()
                            .attrs()
                            .keySet());
          } else {
            Path p = values.pick(records);
            target = path(p.type(), g);
            names =
                new ArrayList<>(
                    p.type() instanceof GenType.Rec r
                        ? r.attrs().keySet()
                        : schema.entity(((GenType.Ent) p.type()).name()).shape().attrs().keySet());
          }
          names.add("undeclared");
          return "(" + target + " has " + values.pick(names) + ")";
        }
      case 6:
        return "(" + expr(GenType.Prim.STRING, depth, g) + " like " + pattern() + ")";
      case 7:
        {
          String var = rnd.nextBoolean() ? "principal" : "resource";
          String type = values.pick(schema.entities()).name();
          if (rnd.nextBoolean()) {
            return "(" + var + " is " + type + ")";
          }
          String group =
              values.pick(
                  schema.ancestorsOrSelf(var.equals("principal") ? principalType : resourceType));
          return "("
              + var
              + " is "
              + type
              + " in "
              + group
              + "::"
              + ValueWriter.string(values.entityId(group, 0.1))
              + ")";
        }
      case 8:
        {
          String self = rnd.nextBoolean() ? principalType : resourceType;
          String lhs =
              self.equals(principalType) && rnd.nextBoolean()
                  ? "principal"
                  : self.equals(resourceType) ? "resource" : expr(new GenType.Ent(self), depth, g);
          String group = values.pick(schema.ancestorsOrSelf(self));
          GenType.Ent gt = new GenType.Ent(group);
          if (rnd.nextBoolean()) {
            return "(" + lhs + " in " + expr(gt, depth, g) + ")";
          }
          return "(" + lhs + " in " + expr(new GenType.SetOf(gt), depth, g) + ")";
        }
      case 9:
        {
          GenType.SetOf s = setType();
          return switch (rnd.nextInt(4)) {
            case 0 -> expr(s, depth, g) + ".contains(" + expr(s.element(), depth, g) + ")";
            case 1 -> expr(s, depth, g) + ".containsAll(" + expr(s, depth, g) + ")";
            case 2 -> expr(s, depth, g) + ".containsAny(" + expr(s, depth, g) + ")";
            default -> expr(s, depth, g) + ".isEmpty()";
          };
        }
      case 10:
        {
          String var = rnd.nextBoolean() ? "principal" : "resource";
          return var
              + ".hasTag("
              + (rnd.nextDouble() < 0.8
                  ? ValueWriter.string(values.pick(CaseGenerator.TAG_KEYS))
                  : expr(GenType.Prim.STRING, depth, g))
              + ")";
        }
      case 11:
        {
          String ip = expr(GenType.Ext.IPADDR, depth, g);
          return switch (rnd.nextInt(5)) {
            case 0 -> ip + ".isIpv4()";
            case 1 -> ip + ".isIpv6()";
            case 2 -> ip + ".isLoopback()";
            case 3 -> ip + ".isMulticast()";
            default -> ip + ".isInRange(" + expr(GenType.Ext.IPADDR, depth, g) + ")";
          };
        }
      case 12:
        {
          String m =
              values.pick(
                  List.of("lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"));
          return expr(GenType.Ext.DECIMAL, depth, g)
              + "."
              + m
              + "("
              + expr(GenType.Ext.DECIMAL, depth, g)
              + ")";
        }
      case 13:
        {
          String p = path(GenType.Prim.BOOL, g);
          return p.isEmpty() ? "(" + runtimeError(depth, g) + ")" : p;
        }
      case 14:
        return runtimeError(depth, g);
      default:
        {
          GenType t = anyPathType();
          return "(" + expr(t, depth, g) + " == " + expr(t, depth, g) + ")";
        }
    }
  }

  // Near the ends of Long's range. Cedar's JSON crosses JavaScript in the oracle, whose numbers
  // hold integers exactly only up to 2^53, so in JSON-safe mode the same magnitudes are products.

  private List<Long> longs() {
    return jsonSafe ? ValueWriter.DATA_LONGS : ValueWriter.LONGS;
  }

  private String longMax() {
    return jsonSafe ? "(9007199254740991 * 1024)" : "9223372036854775807";
  }

  private String twoTo62() {
    return jsonSafe ? "(4503599627370496 * 1024)" : "4611686018427387904";
  }

  private String longMin() {
    return jsonSafe ? "(-9007199254740991 * 1024)" : "(-9223372036854775808)";
  }

  /** Tests that validate but may fail when evaluated. */
  private String runtimeError(int depth, List<String> g) {
    return switch (rnd.nextInt(5)) {
      case 0 -> "((" + longMax() + " + " + expr(GenType.Prim.LONG, depth, g) + ") > 0)";
      case 1 -> "((" + expr(GenType.Prim.LONG, depth, g) + " * " + twoTo62() + ") == 0)";
      case 2 -> "((-" + expr(GenType.Prim.LONG, depth, g) + ") < 0)";
      case 3 ->
          "("
              + expr(GenType.Ext.DATETIME, depth, g)
              + ".offset(duration(\"106751991167d\")) > datetime(\"2024-01-01\"))";
      default -> "((" + expr(GenType.Prim.LONG, depth, g) + " - " + longMin() + ") >= 1)";
    };
  }

  private GenType.SetOf setType() {
    List<GenType.SetOf> sets =
        paths.stream()
            .map(Path::type)
            .filter(GenType.SetOf.class::isInstance)
            .map(GenType.SetOf.class::cast)
            .toList();
    if (!sets.isEmpty() && rnd.nextDouble() < 0.7) {
      return values.pick(sets);
    }
    return new GenType.SetOf(
        values.pick(
            List.<GenType>of(
                GenType.Prim.LONG,
                GenType.Prim.STRING,
                new GenType.Ent(values.pick(schema.entities()).name()),
                GenType.Ext.DECIMAL)));
  }

  private String pattern() {
    StringBuilder p = new StringBuilder("\"");
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      p.append(values.pick(List.of("*", "a", "b", "\\*", "h\u00e9", "**", "\\\"", " ")));
    }
    return p.append('"').toString();
  }

  /** An expression of type {@code t}; optional accesses add their guards to {@code g}. */
  String expr(GenType t, int depth, List<String> g) {
    double d = rnd.nextDouble();
    if (d < 0.35) {
      String p = path(t, g);
      if (!p.isEmpty()) {
        return p;
      }
    }
    if (depth > 0 && d > 0.85) {
      return "(if "
          + bool(depth - 1)
          + " then "
          + expr(t, depth - 1, g)
          + " else "
          + expr(t, depth - 1, g)
          + ")";
    }
    return switch (t) {
      case GenType.Prim p ->
          switch (p) {
            case BOOL -> bool(depth);
            case LONG -> longExpr(depth, g);
            case STRING -> ValueWriter.string(values.pick(ValueWriter.STRINGS));
          };
      case GenType.Ext e -> extExpr(e, depth, g);
      case GenType.Ent ent -> {
        if (ent.name().equals(principalType) && rnd.nextDouble() < 0.3) {
          yield "principal";
        }
        if (ent.name().equals(resourceType) && rnd.nextDouble() < 0.3) {
          yield "resource";
        }
        yield ent.name() + "::" + ValueWriter.string(values.entityId(ent.name(), 0.1));
      }
      case GenType.SetOf s -> {
        int n = 1 + rnd.nextInt(3);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(expr(s.element(), depth - 1, g));
        }
        yield items.stream().collect(Collectors.joining(", ", "[", "]"));
      }
      case GenType.Rec r -> {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, GenType.Attr> e : r.attrs().entrySet()) {
          if (e.getValue().required() || rnd.nextBoolean()) {
            fields.add(e.getKey() + ": " + expr(e.getValue().type(), depth - 1, g));
          }
        }
        yield fields.stream().collect(Collectors.joining(", ", "{", "}"));
      }
    };
  }

  private String longExpr(int depth, List<String> g) {
    if (depth <= 0) {
      return ValueWriter.longLiteral(values.pick(longs()));
    }
    return switch (rnd.nextInt(8)) {
      case 0 ->
          "("
              + expr(GenType.Prim.LONG, depth - 1, g)
              + " + "
              + expr(GenType.Prim.LONG, depth - 1, g)
              + ")";
      case 1 ->
          "("
              + expr(GenType.Prim.LONG, depth - 1, g)
              + " - "
              + expr(GenType.Prim.LONG, depth - 1, g)
              + ")";
      case 2 ->
          "("
              + expr(GenType.Prim.LONG, depth - 1, g)
              + " * "
              + values.pick(List.of("2", "(-1)", "0", "3037000500"))
              + ")";
      case 3 -> "(-" + expr(GenType.Prim.LONG, depth - 1, g) + ")";
      case 4 ->
          expr(GenType.Ext.DURATION, depth - 1, g)
              + "."
              + values.pick(
                  List.of("toMilliseconds", "toSeconds", "toMinutes", "toHours", "toDays"))
              + "()";
      default -> ValueWriter.longLiteral(values.pick(longs()));
    };
  }

  private String extExpr(GenType.Ext e, int depth, List<String> g) {
    String literal = e.constructor() + "(" + ValueWriter.string(values.extLiteral(e)) + ")";
    if (depth <= 0 || rnd.nextDouble() < 0.6) {
      return literal;
    }
    return switch (e) {
      case DATETIME ->
          rnd.nextBoolean()
              ? expr(e, depth - 1, g) + ".offset(" + expr(GenType.Ext.DURATION, depth - 1, g) + ")"
              : expr(e, depth - 1, g) + ".toDate()";
      case DURATION ->
          rnd.nextBoolean()
              ? expr(GenType.Ext.DATETIME, depth - 1, g) + ".toTime()"
              : expr(GenType.Ext.DATETIME, depth - 1, g)
                  + ".durationSince("
                  + expr(GenType.Ext.DATETIME, depth - 1, g)
                  + ")";
      default -> literal;
    };
  }

  /** An ill-typed test: strict validation must refuse it; evaluation often fails. */
  private String bad() {
    String p = principalType;
    return switch (rnd.nextInt(18)) {
      case 0 -> "(principal.undeclared == 1)";
      case 1 -> "((" + ValueWriter.longLiteral(values.pick(longs())) + " + \"a\") > 0)";
      case 2 -> "(\"a\" < 3)";
      case 3 -> "[1, \"a\"].contains(1)";
      case 4 -> "[].isEmpty()";
      case 5 -> "(" + values.pick(List.of("3", "principal", "context")) + " like \"a*\")";
      case 6 -> "(if 1 then true else false)";
      case 7 -> "(principal in 5)";
      case 8 ->
          rnd.nextBoolean() ? "ip(\"not-an-ip\").isIpv4()" : "ip(\"::ffff:10.0.0.1\").isIpv6()";
      case 9 -> "decimal(\"1.2.3\").lessThan(decimal(\"1.0\"))";
      case 10 -> {
        String color = schema.enumType().name();
        yield "(" + color + "::\"purple\" == " + color + "::\"red\")";
      }
      case 11 -> "(resource.getTag(\"k1\") == \"a\")";
      case 12 -> "(context.undeclared == \"a\")";
      case 13 -> "(action == " + schema.actionRef("undeclared") + ")";
      case 14 ->
          "(principal == \"" + GenSchema.simpleName(p).toLowerCase(java.util.Locale.ROOT) + "0\")";
      case 15 -> "(Undeclared::\"x\" == principal)";
      case 16 -> "(datetime(\"2024-13-45\") < datetime(\"2024-01-01\"))";
      default -> "((1 == 1) + 2 == 3)";
    };
  }
}
