package dev.bulwark.policy.conformance;

import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicySet;
import dev.bulwark.policy.Request;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** What the runner needs of a test's schema: validation, and schema-based reading of its inputs. */
final class SchemaSupport {
  private final Schema schema;

  private SchemaSupport(Schema schema) {
    this.schema = schema;
  }

  static SchemaSupport load(Path schemaFile) {
    try {
      String text = Files.readString(schemaFile, StandardCharsets.UTF_8);
      return new SchemaSupport(
          schemaFile.toString().endsWith(".json")
              ? Schema.parseJson(text)
              : Schema.parseCedar(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<String> validate(PolicySet policies) {
    return dev.bulwark.policy.Validator.validate(policies, schema).problems();
  }

  Entities entities(String json) {
    return Entities.fromJson(json, schema);
  }

  RecordValue context(EntityUid action, JsonNode json) {
    return Request.contextFromJson(json.toString(), action, Optional.of(schema));
  }

  List<String> validateRequest(
      EntityUid principal, EntityUid action, EntityUid resource, RecordValue context) {
    return schema.validateRequest(principal, action, resource, context);
  }
}
