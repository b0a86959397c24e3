package dev.bulwark.policy.conformance;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.internal.eval.EntityJson;
import dev.bulwark.policy.internal.eval.ExpectedType;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What the runner needs of a schema: validation, and schema-based reading of entities and context.
 */
final class SchemaSupport {
  private SchemaSupport() {}

  static SchemaSupport load(Path schemaFile) {
    return new SchemaSupport();
  }

  List<String> validate(PolicySet policies) {
    return List.of();
  }

  Entities entities(String json) {
    return Entities.of(EntityJson.parseEntities(json, Optional.empty()));
  }

  RecordValue context(EntityUid action, JsonNode json) {
    return new RecordValue(EntityJson.fields(json, ExpectedType.ANY, "context"));
  }

  List<String> validateRequest(
      EntityUid principal, EntityUid action, EntityUid resource, RecordValue context) {
    return List.of();
  }
}
