package dev.bulwark.sdk.keys;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/** A ciphertext from the keys service, and the ring version that protects it. */
public final class Ciphertext {
  private final byte[] bytes;
  private final int version;

  /**
   * {@code bytes} as the service returned them, protected by ring version {@code version}.
   *
   * @throws IllegalArgumentException if {@code bytes} is empty or {@code version} < 1
   */
  public Ciphertext(byte[] bytes, int version) {
    requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw new IllegalArgumentException("bytes: empty (expected: a ciphertext)");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
    }
    this.bytes = bytes.clone();
    this.version = version;
  }

  /** The ciphertext, to store; it names its version itself, so decrypting needs only the ring. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The ring version whose key protects it; {@link KeysClient#rewrap} moves it to the primary. */
  public int version() {
    return version;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ciphertext that
        && version == that.version
        && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + version;
  }

  @Override
  public String toString() {
    return "Ciphertext{version=" + version + ", " + bytes.length + " bytes}";
  }
}
