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
    /** No client with that id is registered. */
    CLIENT_NOT_FOUND,
    /** A client registration is not acceptable. */
    CLIENT_INVALID,
    /** A user with that username already exists. */
    USER_EXISTS,
    /** No such user. */
    USER_NOT_FOUND,
    /** A user's details (username, roles, groups, ...) are not acceptable. */
    USER_INVALID,
    /** A password does not meet the password policy. */
    PASSWORD_REJECTED,
    /** No such group. */
    GROUP_NOT_FOUND,
    /** A group with that name already exists. */
    GROUP_EXISTS,
    /** No signing key for the algorithm asked for. */
    SIGNING_KEY_UNAVAILABLE,
    /** Stored signing keys cannot be read back (wrong master key?). */
    SIGNING_KEY_UNREADABLE
  }
}
