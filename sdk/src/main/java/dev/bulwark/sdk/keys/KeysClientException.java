package dev.bulwark.sdk.keys;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a call to the keys service, or a local field decryption, failed. The {@link Code} is stable,
 * for programs to act on; the message is for people and never holds plaintext, ciphertext or a key.
 * The SDK fails closed: an unreachable service is this exception, never unencrypted data.
 */
public final class KeysClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;
  private final int status;
  private final String serverError;

  /** A failure with no HTTP answer behind it (network, local decryption). */
  public KeysClientException(Code code, String message) {
    this(code, message, 0, null, null);
  }

  /** A failure with no HTTP answer behind it, caused by {@code cause}. */
  public KeysClientException(Code code, String message, Throwable cause) {
    this(code, message, 0, null, cause);
  }

  /** The service answered {@code status} with the error code {@code serverError}. */
  public KeysClientException(Code code, String message, int status, String serverError) {
    this(code, message, status, serverError, null);
  }

  private KeysClientException(
      Code code, String message, int status, String serverError, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code");
    this.status = status;
    this.serverError = serverError;
  }

  public Code code() {
    return code;
  }

  /** The HTTP status the service answered with, if it answered. */
  public OptionalInt status() {
    return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }

  /** The service's own error code (docs/keys.md), e.g. {@code version_disabled}, if it sent one. */
  public Optional<String> serverError() {
    return Optional.ofNullable(serverError);
  }

  /** The kind of failure. */
  public enum Code {
    /** The request was malformed or not accepted as sent (400, 405, 415). */
    INVALID_REQUEST,
    /** The service did not see a workload certificate (401). */
    UNAUTHENTICATED,
    /** The key access policy does not let this workload do this on this ring (403). */
    FORBIDDEN,
    /** No such key ring or version (404). */
    NOT_FOUND,
    /** The ciphertext's key version is disabled; an administrator can enable it again (409). */
    VERSION_DISABLED,
    /** The ciphertext's key version was destroyed; the data is lost (409). */
    VERSION_DESTROYED,
    /** The change is not allowed in the current state, e.g. disabling the primary version (409). */
    CONFLICT,
    /**
     * The ciphertext does not decrypt: another ring, record or field, other associated data, or
     * altered bytes (422, or found locally by {@link FieldEncryptor}).
     */
    DECRYPT_FAILED,
    /** The data is larger than the service accepts (413); encrypt it locally with a data key. */
    TOO_LARGE,
    /**
     * The service could not be reached or did not answer in time, its TLS handshake failed, or it
     * answered with a server error (5xx, 429).
     */
    UNAVAILABLE,
    /** The service's answer is not what the API promises. */
    INVALID_RESPONSE,
    /** The calling thread was interrupted while waiting. */
    INTERRUPTED
  }
}
