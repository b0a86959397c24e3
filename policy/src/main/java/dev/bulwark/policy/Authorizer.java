package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.ast.Effect;
import dev.bulwark.policy.internal.ast.PolicyDef;
import dev.bulwark.policy.internal.eval.EvaluationError;
import dev.bulwark.policy.internal.eval.Evaluator;
import dev.bulwark.policy.internal.eval.PolicyIndex;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers authorization requests against one policy set, with Cedar's semantics: a request is
 * allowed when at least one permit is satisfied and no forbid is; anything else is denied (forbid
 * overrides permit; no applicable permit is a default deny). A policy whose conditions raise an
 * error is skipped and the error reported.
 *
 * <p>Thread-safe and immutable: build a new one to change policies. Each request is checked only
 * against the policies whose scope can match it (see {@link #candidateCount}).
 */
public final class Authorizer {
  private final PolicySet policies;
  private final List<Policy> ordered;
  private final List<PolicyDef> definitions;
  private final PolicyIndex index;

  private Authorizer(PolicySet policies) {
    this.policies = policies;
    this.ordered = List.copyOf(policies.policies());
    this.definitions = ordered.stream().map(Policy::definition).toList();
    this.index = new PolicyIndex(definitions);
  }

  /** An authorizer for these policies. */
  public static Authorizer of(PolicySet policies) {
    return new Authorizer(requireNonNull(policies, "policies"));
  }

  /** The policies this authorizer decides with. */
  public PolicySet policies() {
    return policies;
  }

  /** Decides a request. */
  public Response isAuthorized(Request request, Entities entities) {
    requireNonNull(request, "request");
    requireNonNull(entities, "entities");
    Evaluator evaluator =
        new Evaluator(
            request.principal(), request.action(), request.resource(), request.context(), entities);
    BitSet candidates =
        index.candidates(request.principal(), request.action(), request.resource(), entities);
    Set<String> permits = new LinkedHashSet<>();
    Set<String> forbids = new LinkedHashSet<>();
    List<AuthorizationError> errors = new ArrayList<>();
    for (int i = candidates.nextSetBit(0); i >= 0; i = candidates.nextSetBit(i + 1)) {
      PolicyDef def = definitions.get(i);
      String id = ordered.get(i).id();
      try {
        if (evaluator.satisfied(def)) {
          (def.effect() == Effect.PERMIT ? permits : forbids).add(id);
        }
      } catch (EvaluationError e) {
        errors.add(new AuthorizationError(id, e.getMessage()));
      }
    }
    if (!forbids.isEmpty()) {
      return new Response(Decision.DENY, forbids, errors);
    }
    if (!permits.isEmpty()) {
      return new Response(Decision.ALLOW, permits, errors);
    }
    return new Response(Decision.DENY, Set.of(), errors);
  }

  /** How many policies the index leaves to evaluate for this request (for tests and tuning). */
  public int candidateCount(Request request, Entities entities) {
    return index
        .candidates(request.principal(), request.action(), request.resource(), entities)
        .cardinality();
  }
}
