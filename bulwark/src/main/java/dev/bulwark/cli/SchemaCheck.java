package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.schema.SchemaException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A Cedar schema the user named ({@code .cedarschema}, or Cedar's JSON schema format for {@code
 * .json}), and strict validation against it, for every {@code bulwark policy} command that takes
 * {@code --schema}.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  /**
   * The schema in {@code file}; a malformed one is a {@link PlatformException} naming the fault.
   */
  static Schema read(Path file) {
    String text = PolicySources.readText(file, "schema");
    try {
      return file.toString().toLowerCase(Locale.ROOT).endsWith(".json")
          ? Schema.parseJson(text)
          : Schema.parseCedar(text);
    } catch (SchemaException e) {
      throw new PlatformException(
          file + ": " + e.getMessage(), "fix the schema, then run the command again");
    }
  }

  /** The schema, when one was named. */
  static Optional<Schema> read(Optional<Path> file) {
    return file.map(SchemaCheck::read);
  }

  /** Entities from a file, read against the schema when there is one. */
  static Entities entities(Path file, Optional<Schema> schema) {
    String json = PolicySources.readText(file, "entities file");
    try {
      return schema.map(s -> Entities.fromJson(json, s)).orElseGet(() -> Entities.fromJson(json));
    } catch (PolicyException e) {
      throw new PlatformException(file + ": " + e.getMessage(), "fix the entities file");
    }
  }
}
