package dev.bulwark.identity;

/** An expected failure of the identity component; {@link #code()} is stable. */
public final class IdentityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public IdentityException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  /** What went wrong. */
  public enum Code {
    /** A client with that id is already registered. */
    CLIENT_EXISTS,
    /** A client registration is not acceptable. */
    CLIENT_INVALID,
    /** Stored signing keys cannot be read back (wrong master key?). */
    SIGNING_KEY_UNREADABLE
  }
}
