package dev.bulwark.policy.internal.validate;

import dev.bulwark.policy.schema.SchemaType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The validator's types (cedar-spec, {@code Cedar/Validation/Types.lean}): booleans carry whether
 * they are known true, known false or either, so that short-circuiting and impossible scopes can be
 * typed precisely.
 */
sealed interface CedarType {

  enum BoolKind {
    TT,
    FF,
    ANY;

    BoolKind not() {
      return switch (this) {
        case TT -> FF;
        case FF -> TT;
        case ANY -> ANY;
      };
    }
  }

  record Bool(BoolKind kind) implements CedarType {
    @Override
    public String toString() {
      return switch (kind) {
        case TT -> "True";
        case FF -> "False";
        case ANY -> "Bool";
      };
    }
  }

  record LongT() implements CedarType {
    @Override
    public String toString() {
      return "Long";
    }
  }

  record StringT() implements CedarType {
    @Override
    public String toString() {
      return "String";
    }
  }

  record SetT(CedarType element) implements CedarType {
    @Override
    public String toString() {
      return "Set<" + element + ">";
    }
  }

  record Qualified(CedarType type, boolean required) {}

  record RecordT(Map<String, Qualified> attributes) implements CedarType {
    public RecordT {
      attributes = Map.copyOf(attributes);
    }

    @Override
    public String toString() {
      return new TreeMap<>(attributes)
          .entrySet().stream()
              .map(
                  e ->
                      e.getKey()
                          + (e.getValue().required() ? "" : "?")
                          + ": "
                          + e.getValue().type())
              .collect(Collectors.joining(", ", "{", "}"));
    }
  }

  record EntityT(String type) implements CedarType {
    @Override
    public String toString() {
      return type;
    }
  }

  record ExtT(String name) implements CedarType {
    @Override
    public String toString() {
      return name;
    }
  }

  Bool TT = new Bool(BoolKind.TT);
  Bool FF = new Bool(BoolKind.FF);
  Bool ANY_BOOL = new Bool(BoolKind.ANY);
  LongT LONG = new LongT();
  StringT STRING = new StringT();

  static Bool bool(BoolKind kind) {
    return switch (kind) {
      case TT -> TT;
      case FF -> FF;
      case ANY -> ANY_BOOL;
    };
  }

  /**
   * The least upper bound (cedar-spec {@code Subtyping.lean}): booleans widen, records need equal
   * keys, all else equal.
   */
  static Optional<CedarType> lub(CedarType a, CedarType b) {
    if (a instanceof Bool x && b instanceof Bool y) {
      return Optional.of(x.kind() == y.kind() ? x : ANY_BOOL);
    }
    if (a instanceof SetT x && b instanceof SetT y) {
      return lub(x.element(), y.element()).map(SetT::new);
    }
    if (a instanceof RecordT x && b instanceof RecordT y) {
      if (!x.attributes().keySet().equals(y.attributes().keySet())) {
        return Optional.empty();
      }
      Map<String, Qualified> out = new LinkedHashMap<>();
      for (Map.Entry<String, Qualified> e : x.attributes().entrySet()) {
        Qualified other = y.attributes().get(e.getKey());
        Optional<CedarType> t = lub(e.getValue().type(), other.type());
        if (t.isEmpty()) {
          return Optional.empty();
        }
        // Lean's lubQualifiedType: an optional attribute has no bound with a required one.
        if (e.getValue().required() != other.required()) {
          return Optional.empty();
        }
        out.put(e.getKey(), new Qualified(t.get(), other.required()));
      }
      return Optional.of(new RecordT(out));
    }
    return a.equals(b) ? Optional.of(a) : Optional.empty();
  }

  /** A schema type as the validator sees it. */
  static CedarType of(SchemaType t) {
    return switch (t) {
      case SchemaType.BoolType b -> ANY_BOOL;
      case SchemaType.LongType l -> LONG;
      case SchemaType.StringType s -> STRING;
      case SchemaType.SetType s -> new SetT(of(s.element()));
      case SchemaType.RecordType r -> record(r);
      case SchemaType.EntityType e -> new EntityT(e.name());
      case SchemaType.ExtensionType x -> new ExtT(x.extension().cedarName());
    };
  }

  static RecordT record(SchemaType.RecordType r) {
    Map<String, Qualified> attrs = new LinkedHashMap<>();
    r.attributes().forEach((k, v) -> attrs.put(k, new Qualified(of(v.type()), v.required())));
    return new RecordT(attrs);
  }
}
