package dev.bulwark.identity.internal;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Hashes user passwords with Argon2id at OWASP's recommended cost (Password Storage Cheat Sheet: m
 * = 19 MiB, t = 2, p = 1), and verifies them against stored PHC strings whatever cost they were
 * made with, so the cost can be raised without invalidating old hashes.
 */
public final class PasswordHasher {
  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  private static final Argon2Function ARGON2 =
      Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, PARALLELISM, 32, Argon2.ID);

  // Checked against when the user does not exist, so that both paths cost one Argon2id.
  private final String decoy = hash("decoy password that no user has " + System.nanoTime());

  /** The PHC-format Argon2id hash of {@code password} with a fresh 128-bit salt. */
  public String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
  }

  /** Whether {@code password} matches {@code encoded}; false for a malformed hash. */
  public boolean verify(String password, String encoded) {
    Argon2Function function;
    try {
      function = Argon2Function.getInstanceFromHash(encoded);
    } catch (RuntimeException e) {
      return false;
    }
    if (function.getVariant() != Argon2.ID) {
      return false;
    }
    return Password.check(password, encoded).with(function);
  }

  /** Spends the time a real check would, for a user who does not exist. */
  public void verifyDecoy(String password) {
    verify(password, decoy);
  }

  /** Whether {@code encoded} was made with weaker settings than today's, and should be redone. */
  public boolean needsRehash(String encoded) {
    try {
      Argon2Function function = Argon2Function.getInstanceFromHash(encoded);
      return function.getMemory() < MEMORY_KIB || function.getIterations() < ITERATIONS;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
