package dev.bulwark.policy;

import java.util.List;

/**
 * The outcome of validating policies against a schema.
 *
 * @param errors every problem found, in policy order; empty when the policies validate
 */
public record ValidationResult(List<ValidationError> errors) {
  public ValidationResult {
    errors = List.copyOf(errors);
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
