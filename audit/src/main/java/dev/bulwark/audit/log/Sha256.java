package dev.bulwark.audit.log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashes of RFC 6962 section 2.1 ({@code leaf = H(0x00 || data)}, {@code node = H(0x01 || left
 * || right)}) and of the hash chain ({@code chain_n = H(chain_n-1 || leaf_n)}), over the JDK's
 * SHA-256.
 */
final class Sha256 {
  static final byte[] CHAIN_START = new byte[TreeHash.LENGTH];

  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JDK offers no SHA-256", e);
            }
          });

  private Sha256() {}

  static byte[] empty() {
    MessageDigest digest = DIGEST.get();
    digest.reset();
    return digest.digest();
  }

  static byte[] leaf(byte[] data) {
    MessageDigest digest = DIGEST.get();
    digest.reset();
    digest.update((byte) 0);
    digest.update(data);
    return digest.digest();
  }

  static byte[] node(byte[] left, byte[] right) {
    MessageDigest digest = DIGEST.get();
    digest.reset();
    digest.update((byte) 1);
    digest.update(left);
    digest.update(right);
    return digest.digest();
  }

  static byte[] chain(byte[] previous, byte[] leaf) {
    MessageDigest digest = DIGEST.get();
    digest.reset();
    digest.update(previous);
    digest.update(leaf);
    return digest.digest();
  }
}
