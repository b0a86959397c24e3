package dev.bulwark.ca;

/** An expected failure of the certificate authority; {@link #code()} is stable. */
public final class CaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public CaException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  /** What went wrong. */
  public enum Code {
    /** Stored CA material cannot be read back. */
    CA_MATERIAL_INVALID,
    /** A certificate could not be issued. */
    ISSUANCE_FAILED
  }
}
