package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 value of the audit log: a leaf, a Merkle tree node or root, or a hash-chain value. */
public final class TreeHash {
  /** The length of every hash, in bytes. */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private TreeHash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The hash with these 32 bytes (copied). */
  public static TreeHash of(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "hash: " + bytes.length + " bytes (expected: " + LENGTH + ")");
    }
    return new TreeHash(bytes.clone());
  }

  /** Parses 64 hexadecimal digits. */
  public static TreeHash ofHex(String hex) {
    requireNonNull(hex, "hex");
    if (hex.length() != LENGTH * 2) {
      throw new IllegalArgumentException(
          "hash: " + hex.length() + " hex digits (expected: " + LENGTH * 2 + ")");
    }
    return new TreeHash(HEX.parseHex(hex));
  }

  static TreeHash wrap(byte[] bytes) {
    return new TreeHash(bytes);
  }

  /** The 32 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TreeHash that && MessageDigest.isEqual(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
