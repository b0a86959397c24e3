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
    UNSEAL_FAILED
  }
}
