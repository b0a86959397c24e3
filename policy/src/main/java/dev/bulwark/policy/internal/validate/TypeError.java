package dev.bulwark.policy.internal.validate;

/**
 * A policy that does not typecheck; cheap to throw, as the checker backtracks over environments.
 */
final class TypeError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TypeError(String message) {
    super(message, null, false, false);
  }
}
