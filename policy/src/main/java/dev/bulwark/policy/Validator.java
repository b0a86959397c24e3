package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.validate.PolicyValidator;
import dev.bulwark.policy.schema.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict validation of policies against a schema, as Cedar's validator does it: every entity type,
 * action and attribute a policy uses must be declared, optional attributes must be guarded with
 * {@code has}, operand types must fit their operators, and the policy's scope must fit some
 * action's declared principal and resource types. A policy set that validates cannot raise a type
 * error at evaluation for requests and entities that conform to the schema.
 */
public final class Validator {
  private Validator() {}

  /** Validates every policy and template in the set. */
  public static ValidationResult validate(PolicySet policies, Schema schema) {
    requireNonNull(policies, "policies");
    PolicyValidator validator = new PolicyValidator(requireNonNull(schema, "schema"));
    List<ValidationError> errors = new ArrayList<>();
    List<ValidationError> warnings = new ArrayList<>();
    List<Policy> all = new ArrayList<>(policies.templates());
    all.addAll(policies.policies());
    for (Policy p : all) {
      PolicyValidator.Outcome outcome = validator.validate(p.definition());
      for (String problem : outcome.problems()) {
        errors.add(new ValidationError(p.id(), problem));
      }
      if (outcome.impossible()) {
        warnings.add(
            new ValidationError(
                p.id(),
                "impossible policy: no action the schema declares applies to the principal and"
                    + " resource types its scope allows"));
      }
    }
    return new ValidationResult(errors, warnings);
  }
}
