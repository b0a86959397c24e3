package dev.bulwark.policy.schema;

import java.io.Serial;

/**
 * A schema that cannot be loaded: malformed text, an undeclared or duplicate name, a cycle among
 * common types or in the action hierarchy. The message names where (line and column in the Cedar
 * format, a JSON path in the JSON format) and what was expected.
 */
public final class SchemaException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /** A problem found at {@code where}. */
  public SchemaException(String where, String problem) {
    super(where + ": " + problem);
  }
}
