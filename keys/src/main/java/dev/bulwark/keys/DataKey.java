package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

/**
 * A data key: the plaintext AES-256 key for local encryption, and the same key wrapped by a key
 * ring version, to be stored beside the data. {@link #toString()} never shows the plaintext.
 */
public final class DataKey {
  private final byte[] plaintext;
  private final byte[] wrapped;
  private final int version;

  public DataKey(byte[] plaintext, byte[] wrapped, int version) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(wrapped, "wrapped");
    if (plaintext.length != 32) {
      throw new IllegalArgumentException(
          "plaintext: " + plaintext.length + " bytes (expected: 32, an AES-256 key)");
    }
    this.plaintext = plaintext.clone();
    this.wrapped = wrapped.clone();
    this.version = version;
  }

  /** The raw 32-byte key. Keep it in memory only, and briefly. */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  public byte[] wrapped() {
    return wrapped.clone();
  }

  /** The key ring version that wrapped it. */
  public int version() {
    return version;
  }

  @Override
  public String toString() {
    return "DataKey{version=" + version + ", plaintext=***}";
  }
}
