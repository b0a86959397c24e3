package dev.bulwark.sdk.keys;

import static java.util.Objects.requireNonNull;

/**
 * A data key from the keys service: the plaintext AES-256 key for local encryption, and the same
 * key wrapped by the ring, to store beside the data. {@link #toString()} never shows the plaintext.
 */
public final class DataKey {
  private final byte[] plaintext;
  private final byte[] wrapped;
  private final int version;

  /**
   * A data key of 32 plaintext bytes, wrapped by ring version {@code version}.
   *
   * @throws IllegalArgumentException if {@code plaintext} is not 32 bytes or {@code version} < 1
   */
  public DataKey(byte[] plaintext, byte[] wrapped, int version) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(wrapped, "wrapped");
    if (plaintext.length != 32) {
      throw new IllegalArgumentException(
          "plaintext: " + plaintext.length + " bytes (expected: 32, an AES-256 key)");
    }
    if (wrapped.length == 0) {
      throw new IllegalArgumentException("wrapped: empty (expected: the wrapped key)");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
    }
    this.plaintext = plaintext.clone();
    this.wrapped = wrapped.clone();
    this.version = version;
  }

  /** The raw 32-byte key. Keep it in memory only, and briefly. */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  /** The key wrapped by the ring: safe to store, and only the keys service can unwrap it. */
  public byte[] wrapped() {
    return wrapped.clone();
  }

  /** The ring version that wrapped it. */
  public int version() {
    return version;
  }

  @Override
  public String toString() {
    return "DataKey{version=" + version + ", plaintext=***}";
  }
}
