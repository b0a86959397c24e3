package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Seals secrets for storage with AES-256-GCM. Each sealed value is bound to a context string (for
 * example {@code identity/signing-key/<kid>}) as associated data, so a value copied to another
 * place does not open there.
 *
 * <p>A sealer {@link #on(KeyRing) on a key ring} seals each value under a fresh data key wrapped by
 * the ring's primary version, so rotating the ring and {@linkplain #rewrap re-wrapping} moves
 * stored values to a new key without decrypting them. Given the master key as well ({@link
 * #on(KeyRing, MasterKey)}), it still opens values sealed by the master key alone, as Bulwark did
 * before key rings, so existing data directories keep working. {@link MasterKey#sealer()} gives
 * that older sealer.
 */
public final class SecretSealer {
  private static final String LEGACY_AAD_PREFIX = "bulwark/v1/";
  private static final String AAD_PREFIX = "bulwark/v2/sealed/";

  private final Optional<KeyRing> ring;
  private final Optional<Aead> legacy;

  private SecretSealer(Optional<KeyRing> ring, Optional<Aead> legacy) {
    this.ring = ring;
    this.legacy = legacy;
  }

  /** A sealer for values sealed under {@code ring}. */
  public static SecretSealer on(KeyRing ring) {
    return new SecretSealer(Optional.of(requireNonNull(ring, "ring")), Optional.empty());
  }

  /**
   * A sealer that seals under {@code ring} and also opens values sealed by {@code legacy} alone
   * ({@link MasterKey#sealer()}), until {@link #rewrap} has moved them to the ring.
   */
  public static SecretSealer on(KeyRing ring, MasterKey legacy) {
    return new SecretSealer(
        Optional.of(requireNonNull(ring, "ring")),
        Optional.of(requireNonNull(legacy, "legacy").aead()));
  }

  /** The sealer of the master key alone. */
  static SecretSealer legacy(Aead aead) {
    return new SecretSealer(Optional.empty(), Optional.of(aead));
  }

  public byte[] seal(byte[] plaintext, String context) {
    requireNonNull(plaintext, "plaintext");
    if (ring.isPresent()) {
      return ring.get().encrypt(plaintext, associatedData(context));
    }
    try {
      return legacy.orElseThrow().encrypt(plaintext, legacyAssociatedData(context));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Opens a value sealed for {@code context}.
   *
   * @throws KeysException with {@link KeysException.Code#UNSEAL_FAILED} if the key, the context or
   *     the bytes do not match; {@code VERSION_DISABLED} or {@code VERSION_DESTROYED} if the ring
   *     version that sealed it can no longer be used
   */
  public byte[] open(byte[] sealed, String context) {
    requireNonNull(sealed, "sealed");
    byte[] associatedData = associatedData(context);
    if (ring.isPresent() && Envelope.looksLikeEnvelope(sealed)) {
      try {
        return ring.get().decrypt(sealed, associatedData);
      } catch (KeysException e) {
        // A value of the master key alone might start with the envelope's marker byte.
        if (e.code() != KeysException.Code.DECRYPT_FAILED || legacy.isEmpty()) {
          throw unsealFailure(e, context);
        }
      }
    }
    if (legacy.isEmpty()) {
      throw unsealFailed(context);
    }
    return openLegacy(sealed, context);
  }

  /**
   * Whether {@code sealed} is as this sealer would seal it now: in the key ring format and under
   * the ring's primary version (for the master key's own sealer: in its format). Says nothing about
   * whether the value opens.
   */
  public boolean isCurrent(byte[] sealed) {
    requireNonNull(sealed, "sealed");
    if (ring.isEmpty()) {
      return !Envelope.looksLikeEnvelope(sealed);
    }
    if (!Envelope.looksLikeEnvelope(sealed)) {
      return false;
    }
    try {
      return ring.get().versionOf(sealed) == ring.get().primaryVersion();
    } catch (KeysException malformed) {
      return false;
    }
  }

  /**
   * {@code sealed}, moved to the ring's primary version: a value of the ring has its data key
   * re-wrapped without its payload being decrypted; a value of the master key alone is opened with
   * {@code context} and sealed anew. A current value comes back unchanged.
   *
   * @throws KeysException as {@link #open} does, if the value cannot be moved
   */
  public byte[] rewrap(byte[] sealed, String context) {
    requireNonNull(sealed, "sealed");
    associatedData(context);
    if (ring.isEmpty() || isCurrent(sealed)) {
      return sealed.clone();
    }
    if (Envelope.looksLikeEnvelope(sealed)) {
      try {
        return ring.get().rewrap(sealed);
      } catch (KeysException e) {
        if (e.code() != KeysException.Code.DECRYPT_FAILED || legacy.isEmpty()) {
          throw unsealFailure(e, context);
        }
      }
    }
    if (legacy.isEmpty()) {
      throw unsealFailed(context);
    }
    byte[] plaintext = openLegacy(sealed, context);
    try {
      return seal(plaintext, context);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * What values are moved to: the ring's name and primary version, or the master key's own format;
   * a checkpoint taken for one target does not apply to another.
   */
  String target() {
    return ring.map(r -> "ring " + r.name() + " version " + r.primaryVersion())
        .orElse("master key");
  }

  @Override
  public String toString() {
    return "SecretSealer{"
        + target()
        + (legacy.isPresent() && ring.isPresent() ? ", legacy" : "")
        + "}";
  }

  private byte[] openLegacy(byte[] sealed, String context) {
    try {
      return legacy.orElseThrow().decrypt(sealed, legacyAssociatedData(context));
    } catch (GeneralSecurityException e) {
      throw unsealFailed(context);
    }
  }

  private static KeysException unsealFailure(KeysException cause, String context) {
    return switch (cause.code()) {
      case VERSION_DISABLED, VERSION_DESTROYED ->
          new KeysException(
              cause.code(), "sealed value for '" + context + "': " + cause.getMessage(), cause);
      default -> unsealFailed(context);
    };
  }

  private static KeysException unsealFailed(String context) {
    return new KeysException(
        KeysException.Code.UNSEAL_FAILED,
        "sealed value for '"
            + context
            + "' does not open: wrong key, wrong context, or tampered data");
  }

  private static byte[] associatedData(String context) {
    return (AAD_PREFIX + checked(context)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] legacyAssociatedData(String context) {
    return (LEGACY_AAD_PREFIX + checked(context)).getBytes(StandardCharsets.UTF_8);
  }

  private static String checked(String context) {
    requireNonNull(context, "context");
    if (context.isBlank()) {
      throw new IllegalArgumentException(
          "context: blank (expected: where the secret belongs, e.g. identity/signing-key/<kid>)");
    }
    return context;
  }
}
