package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Seals secrets for storage with AES-256-GCM. Each sealed value is bound to a context string (for
 * example {@code identity/signing-key/<kid>}) as associated data, so a value copied to another
 * place does not open there.
 */
public final class SecretSealer {
  private static final String AAD_PREFIX = "bulwark/v1/";

  private final Aead aead;

  SecretSealer(Aead aead) {
    this.aead = aead;
  }

  public byte[] seal(byte[] plaintext, String context) {
    requireNonNull(plaintext, "plaintext");
    try {
      return aead.encrypt(plaintext, associatedData(context));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Opens a value sealed for {@code context}.
   *
   * @throws KeysException with {@link KeysException.Code#UNSEAL_FAILED} if the key, the context or
   *     the bytes do not match
   */
  public byte[] open(byte[] sealed, String context) {
    requireNonNull(sealed, "sealed");
    try {
      return aead.decrypt(sealed, associatedData(context));
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.UNSEAL_FAILED,
          "sealed value for '"
              + context
              + "' does not open: wrong master key, wrong context, or tampered data");
    }
  }

  private static byte[] associatedData(String context) {
    requireNonNull(context, "context");
    if (context.isBlank()) {
      throw new IllegalArgumentException(
          "context: blank (expected: where the secret belongs, e.g. identity/signing-key/<kid>)");
    }
    return (AAD_PREFIX + context).getBytes(StandardCharsets.UTF_8);
  }
}
