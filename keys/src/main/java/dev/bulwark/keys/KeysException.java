package dev.bulwark.keys;

/** An expected failure of the keys component; {@link #code()} is stable. */
public final class KeysException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public KeysException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public KeysException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  /** What went wrong. */
  public enum Code {
    /** The master key is missing, unreadable or malformed. */
    MASTER_KEY_INVALID,
    /** A sealed value did not open: wrong key, wrong context, or tampered bytes. */
    UNSEAL_FAILED,
    /** A ciphertext did not decrypt: wrong ring, wrong associated data, or tampered bytes. */
    DECRYPT_FAILED,
    /** No key ring has that name. */
    RING_NOT_FOUND,
    /** The ring has no such version. */
    VERSION_NOT_FOUND,
    /** The version is disabled: enable it to decrypt again. */
    VERSION_DISABLED,
    /** The version was destroyed: what it wrapped is lost. */
    VERSION_DESTROYED,
    /** The operation is not allowed in the version's state, e.g. disabling the primary. */
    ILLEGAL_STATE,
    /** A name or argument is malformed. */
    INVALID_ARGUMENT,
    /** The key store could not be read or written. */
    STORE_FAILED
  }
}
