package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

/**
 * Why a workload could not get or renew its SVID. The {@link Code} is stable, for programs to act
 * on; the message is for people and never contains a key or an attestation token.
 */
public final class WorkloadIdentityException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The kind of failure. */
  public enum Code {
    /** The CA could not be reached: no connection, a timeout, or the connection broke. */
    CA_UNREACHABLE,
    /** The CA's TLS certificate was refused: not an SVID of the bundle, or not the CA's ID. */
    CA_NOT_TRUSTED,
    /** The CA answered with a server error (5xx) or asked to be tried later (429). */
    CA_ERROR,
    /** The CA refused the attestation: an unknown, used or expired join token, a bad PSAT. */
    ATTESTATION_FAILED,
    /** The attestation could not be produced, e.g. the Kubernetes token file is unreadable. */
    ATTESTATION_UNAVAILABLE,
    /** The CA did not accept the SVID presented for renewal (expired, or not presented). */
    CLIENT_CERTIFICATE_REFUSED,
    /** The CA denied the request: the workload is revoked, or not allowed to ask. */
    DENIED,
    /** The CA rejected the request as malformed or unsupported (400, 404, 405, 415). */
    REQUEST_REJECTED,
    /**
     * The CA's answer is unusable: not the expected JSON, a certificate not for this workload's key
     * or not naming it, or a chain that does not verify against the trust bundle.
     */
    INVALID_RESPONSE,
    /** The thread waiting for the CA was interrupted. */
    INTERRUPTED,
    /** The workload identity has been closed. */
    CLOSED
  }

  private final Code code;

  /** A failure of kind {@code code}, described by {@code message}. */
  public WorkloadIdentityException(Code code, String message) {
    super(requireNonNull(message, "message"));
    this.code = requireNonNull(code, "code");
  }

  /** A failure of kind {@code code}, described by {@code message}, caused by {@code cause}. */
  public WorkloadIdentityException(Code code, String message, Throwable cause) {
    super(requireNonNull(message, "message"), cause);
    this.code = requireNonNull(code, "code");
  }

  /** The kind of failure. */
  public Code code() {
    return code;
  }

  @Override
  public String toString() {
    return "WorkloadIdentityException[" + code + "]: " + getMessage();
  }
}
