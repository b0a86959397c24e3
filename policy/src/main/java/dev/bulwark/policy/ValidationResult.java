package dev.bulwark.policy;

import java.util.List;

/**
 * The outcome of validating policies against a schema.
 *
 * @param errors every problem found, in policy order; empty when the policies validate
 * @param warnings what is suspicious but valid, e.g. a policy no request the schema allows can
 *     match
 */
public record ValidationResult(List<ValidationError> errors, List<ValidationError> warnings) {
  public ValidationResult {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** Whether every policy validates. */
  public boolean isValid() {
    return errors.isEmpty();
  }

  /** The errors as one line each, {@code policyId: message}. */
  public List<String> problems() {
    return errors.stream().map(ValidationError::toString).toList();
  }
}
