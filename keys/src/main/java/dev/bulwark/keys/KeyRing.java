package dev.bulwark.keys;

import java.util.List;

/**
 * A named set of key-encryption key (KEK) versions for envelope encryption. Every encryption uses a
 * fresh AES-256-GCM data key (DEK), wrapped by the ring's primary KEK; older versions still decrypt
 * until they are disabled or destroyed. Safe for concurrent use.
 */
public interface KeyRing {
  /** The ring's name, e.g. {@code bulwark.secrets} or {@code tenant.acme}. */
  String name();

  /** The version new encryptions use. */
  int primaryVersion();

  /** Every version, oldest first, including disabled and destroyed ones. */
  List<KeyVersion> versions();

  /**
   * Encrypts {@code plaintext} under a fresh data key wrapped by the primary version; the
   * ciphertext only decrypts with the same {@code associatedData}.
   */
  byte[] encrypt(byte[] plaintext, byte[] associatedData);

  /**
   * Decrypts a ciphertext of {@link #encrypt}.
   *
   * @throws KeysException {@code DECRYPT_FAILED} if the bytes or associated data do not match,
   *     {@code VERSION_DISABLED} or {@code VERSION_DESTROYED} if its version can no longer be used
   */
  byte[] decrypt(byte[] ciphertext, byte[] associatedData);

  /**
   * A fresh data key, in plaintext for local use and wrapped by the primary version for storage.
   */
  DataKey generateDataKey();

  /** Unwraps the {@link DataKey#wrapped() wrapped form} of a data key from this ring. */
  byte[] decryptDataKey(byte[] wrappedKey);

  /**
   * The same ciphertext with its data key re-wrapped by the primary version; the payload is not
   * decrypted, so no plaintext is exposed. A ciphertext already under the primary is returned as
   * is.
   */
  byte[] rewrap(byte[] ciphertext);

  /** The version whose KEK wrapped this ciphertext's data key (works for wrapped data keys too). */
  int versionOf(byte[] ciphertext);

  /** Adds a new version and makes it primary; earlier versions keep decrypting. */
  KeyVersion rotate();

  /** Stops a non-primary version from decrypting, reversibly. */
  KeyVersion disable(int version);

  /** Lets a disabled version decrypt again. */
  KeyVersion enable(int version);

  /** Deletes a disabled version's key material for good; what it wrapped can never be decrypted. */
  KeyVersion destroy(int version);
}
