package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One version of a key ring's key-encryption key, and whether it may still be used. */
public record KeyVersion(int version, State state, boolean primary, Instant created) {
  public KeyVersion {
    if (version < 1) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
    }
    requireNonNull(state, "state");
    requireNonNull(created, "created");
    if (primary && state != State.ENABLED) {
      throw new IllegalArgumentException("version " + version + ": primary but " + state);
    }
  }

  /** What a version may do. */
  public enum State {
    /** Decrypts; and encrypts if primary. */
    ENABLED,
    /** Kept, but refuses to decrypt until enabled again. */
    DISABLED,
    /** Its key material is gone; what it wrapped is lost. */
    DESTROYED
  }
}
