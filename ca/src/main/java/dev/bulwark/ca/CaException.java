package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

/** An expected failure of the certificate authority; {@link #code()} is stable. */
public final class CaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public CaException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code");
  }

  public CaException(Code code, String message) {
    this(code, message, null);
  }

  public Code code() {
    return code;
  }

  /** What went wrong. */
  public enum Code {
    /** Stored CA material cannot be read back. */
    CA_MATERIAL_INVALID,
    /** A certificate could not be issued. */
    ISSUANCE_FAILED,
    /**
     * The operation needs another kind of authority: SVIDs come from an intermediate, never from
     * the root; only a root signs intermediates; a CA without a trust domain issues no SVIDs.
     */
    WRONG_AUTHORITY,
    /** A PKCS#10 request cannot be parsed, or its signature does not verify with its own key. */
    CSR_INVALID,
    /** The key to certify is of a type or size the CA does not accept. */
    KEY_REFUSED,
    /** A SPIFFE ID, DNS name, address, lifetime or other input is not acceptable. */
    REQUEST_INVALID,
    /** The caller's attestation (join token, service-account token) does not prove anything. */
    ATTESTATION_FAILED,
    /** The operation needs the caller's SVID, and the caller presented no certificate. */
    CLIENT_CERTIFICATE_REQUIRED,
    /** A request body is not in the format the API takes (JSON). */
    UNSUPPORTED_MEDIA_TYPE,
    /** The identity is revoked, or the caller may not do this. */
    DENIED
  }
}
