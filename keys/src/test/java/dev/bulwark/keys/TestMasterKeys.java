package dev.bulwark.keys;

import java.security.SecureRandom;
import java.util.Base64;

/** Test fixtures: master keys from fresh random bytes, as {@code BULWARK_MASTER_KEY} gives them. */
final class TestMasterKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestMasterKeys() {}

  /** {@code length} random bytes in standard base64. */
  static String randomBase64(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** 32 random bytes in standard base64: a valid {@code BULWARK_MASTER_KEY} value. */
  static String randomBase64() {
    return randomBase64(32);
  }

  /** A master key from fresh random bytes. */
  static MasterKey random() {
    return MasterKey.fromBase64(randomBase64());
  }
}
