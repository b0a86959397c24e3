package dev.bulwark.policy.internal.eval;

import dev.bulwark.policy.schema.EntityTypeDef;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.schema.SchemaType;
import dev.bulwark.policy.value.EntityUid;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a schema tells the JSON readers about the values they read. */
public final class SchemaHints implements EntityJson.EntityTypes {
  private final Schema schema;

  public SchemaHints(Schema schema) {
    this.schema = schema;
  }

  @Override
  public ExpectedType attributes(String entityType) {
    return schema.entityType(entityType).map(t -> expected(t.shape())).orElse(ExpectedType.ANY);
  }

  @Override
  public ExpectedType tags(String entityType) {
    return schema
        .entityType(entityType)
        .flatMap(EntityTypeDef::tags)
        .map(SchemaHints::expected)
        .orElse(ExpectedType.ANY);
  }

  /** The expected type of an action's context. */
  public ExpectedType context(EntityUid action) {
    return schema.action(action).map(a -> expected(a.context())).orElse(ExpectedType.ANY);
  }

  /** A schema type as the JSON reader needs it. */
  public static ExpectedType expected(SchemaType type) {
    return switch (type) {
      case SchemaType.EntityType e -> new ExpectedType.EntityRef();
      case SchemaType.ExtensionType x ->
          new ExpectedType.Extension(
              x.extension() == SchemaType.Extension.IPADDR ? "ip" : x.extension().cedarName());
      case SchemaType.SetType s -> new ExpectedType.SetOf(expected(s.element()));
      case SchemaType.RecordType r -> {
        Map<String, ExpectedType> attrs = new LinkedHashMap<>();
        r.attributes().forEach((k, v) -> attrs.put(k, expected(v.type())));
        yield new ExpectedType.RecordOf(attrs);
      }
      case SchemaType.BoolType b -> ExpectedType.ANY;
      case SchemaType.LongType l -> ExpectedType.ANY;
      case SchemaType.StringType s -> ExpectedType.ANY;
    };
  }
}
