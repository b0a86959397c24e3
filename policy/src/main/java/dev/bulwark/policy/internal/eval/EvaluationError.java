package dev.bulwark.policy.internal.eval;

/**
 * A Cedar evaluation error: the policy being evaluated is skipped and the error reported. Thrown
 * often on purpose (a policy may touch an absent attribute), so it carries no stack trace.
 */
public final class EvaluationError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EvaluationError(String message) {
    super(message, null, false, false);
  }
}
