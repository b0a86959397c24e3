package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.PolicySet;
import java.nio.file.Path;
import java.util.List;

/**
 * Strict validation of policies against a Cedar schema, for every {@code bulwark policy} command
 * that takes {@code --schema}.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  /**
   * The problems strict validation finds, each as {@code file:line:col: message}; empty when the
   * policies validate.
   *
   * <p>The engine's schema validator is not part of this build yet. A user who passes a schema asks
   * for the policies to be checked against it, so this refuses (fails closed) rather than reporting
   * policies as valid that were only parsed.
   */
  static List<String> problems(PolicySet policies, Path schema) {
    PolicySources.readText(schema, "schema");
    throw new PlatformException(
        "strict validation against a schema (" + schema + ") is not in this build yet",
        "run without --schema to check syntax only");
  }
}
