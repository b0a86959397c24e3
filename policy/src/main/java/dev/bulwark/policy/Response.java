package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

/**
 * The answer to a request, in the shape Cedar returns it: the decision, the policies that
 * determined it (the satisfied forbids on a deny, the satisfied permits on an allow, none on a
 * default deny), and the policies that raised errors.
 */
public record Response(
    Decision decision, Set<String> determiningPolicies, List<AuthorizationError> errors) {
  public Response {
    requireNonNull(decision, "decision");
    determiningPolicies = Set.copyOf(determiningPolicies);
    errors = List.copyOf(errors);
  }

  /** Whether the decision is allow. */
  public boolean isAllowed() {
    return decision == Decision.ALLOW;
  }
}
