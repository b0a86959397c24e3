package dev.bulwark.policy.schema;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A type as a schema declares it, with common types already replaced by what they stand for and
 * every entity type name fully qualified.
 */
public sealed interface SchemaType {

  /** Cedar's {@code Bool}. */
  BoolType BOOL = new BoolType();

  /** Cedar's {@code Long}. */
  LongType LONG = new LongType();

  /** Cedar's {@code String}. */
  StringType STRING = new StringType();

  /** Cedar's {@code Bool}. */
  record BoolType() implements SchemaType {
    @Override
    public String toString() {
      return "Bool";
    }
  }

  /** Cedar's {@code Long}. */
  record LongType() implements SchemaType {
    @Override
    public String toString() {
      return "Long";
    }
  }

  /** Cedar's {@code String}. */
  record StringType() implements SchemaType {
    @Override
    public String toString() {
      return "String";
    }
  }

  /** {@code Set<element>}. */
  record SetType(SchemaType element) implements SchemaType {
    public SetType {
      requireNonNull(element, "element");
    }

    @Override
    public String toString() {
      return "Set<" + element + ">";
    }
  }

  /**
   * A closed record: a value may hold only the declared attributes, and must hold the required
   * ones.
   */
  record RecordType(Map<String, Attribute> attributes) implements SchemaType {
    /** The record type without attributes. */
    public static final RecordType EMPTY = new RecordType(Map.of());

    public RecordType {
      attributes = Map.copyOf(attributes);
    }

    /** The attribute declared as {@code name}, if any. */
    public Optional<Attribute> attribute(String name) {
      return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public String toString() {
      return attributes.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + (e.getValue().required() ? "" : "?") + ": " + e.getValue().type())
          .collect(Collectors.joining(", ", "{", "}"));
    }

    /** A record type of the given attributes, in a stable order for printing. */
    static RecordType of(Map<String, Attribute> attributes) {
      return new RecordType(new LinkedHashMap<>(attributes));
    }
  }

  /** An attribute of a record type. */
  record Attribute(SchemaType type, boolean required) {
    public Attribute {
      requireNonNull(type, "type");
    }
  }

  /** The entities of one entity type, named fully qualified ({@code Ns::User}). */
  record EntityType(String name) implements SchemaType {
    public EntityType {
      requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** One of Cedar's extension types. */
  record ExtensionType(Extension extension) implements SchemaType {
    public ExtensionType {
      requireNonNull(extension, "extension");
    }

    @Override
    public String toString() {
      return extension.cedarName();
    }
  }

  /** Cedar's extension types, by the name a schema gives them. */
  enum Extension {
    DECIMAL("decimal"),
    IPADDR("ipaddr"),
    DATETIME("datetime"),
    DURATION("duration");

    private final String cedarName;

    Extension(String cedarName) {
      this.cedarName = cedarName;
    }

    /** The name in schemas, which is also the value's {@code typeName()}. */
    public String cedarName() {
      return cedarName;
    }

    /** The extension type named {@code name} in a schema, if there is one. */
    public static Optional<Extension> named(String name) {
      return Arrays.stream(values()).filter(e -> e.cedarName.equals(name)).findFirst();
    }
  }
}
