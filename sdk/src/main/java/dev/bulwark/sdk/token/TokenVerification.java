package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of checking an access token: {@link Verified} with the token, or {@link Rejected}
 * with the reason. An invalid token is an expected outcome, so it is a value, not an exception.
 */
public sealed interface TokenVerification {

  /**
   * The token is authentic and currently valid for this audience.
   *
   * @param token the verified token
   */
  record Verified(AccessToken token) implements TokenVerification {
    /** Rejects a null token. */
    public Verified {
      requireNonNull(token, "token");
    }
  }

  /**
   * The token must not be accepted.
   *
   * @param reason why, as a stable code
   * @param description a sentence safe to return to the caller (it never echoes the token)
   */
  record Rejected(Reason reason, String description) implements TokenVerification {
    /** Rejects null values. */
    public Rejected {
      requireNonNull(reason, "reason");
      requireNonNull(description, "description");
    }
  }

  /** Why a token was rejected. */
  enum Reason {
    /** Not a compact JWS of three base64url parts with a JSON header and claims. */
    MALFORMED,
    /**
     * Unsigned ({@code alg: none}), encrypted, or signed with an algorithm not on the allow-list.
     */
    UNSUPPORTED_ALGORITHM,
    /** The {@code typ} header is not {@code at+jwt} (RFC 9068 §2.1). */
    WRONG_TYPE,
    /** No key of the issuer has the token's {@code kid}. */
    UNKNOWN_KEY,
    /** The signature does not verify. */
    BAD_SIGNATURE,
    /** The {@code iss} claim is not the trusted issuer. */
    WRONG_ISSUER,
    /** The {@code aud} claim does not name this audience. */
    WRONG_AUDIENCE,
    /** The {@code exp} claim is in the past (beyond the allowed clock skew). */
    EXPIRED,
    /** The {@code nbf} or {@code iat} claim is in the future (beyond the allowed clock skew). */
    NOT_YET_VALID,
    /** A claim RFC 9068 requires is missing or has the wrong type. */
    MISSING_CLAIM,
    /** The issuer's keys could not be fetched, so nothing can be verified: fail closed. */
    KEYS_UNAVAILABLE,
    /** The issuer's introspection answered that the token is not active (RFC 7662 §2.2). */
    INACTIVE,
    /**
     * The token is bound to a client certificate (RFC 8705 §3) and the request was not made over
     * TLS with that certificate.
     */
    CERTIFICATE_MISMATCH,
    /** No issuer's introspection endpoint could be asked about the token: fail closed. */
    INTROSPECTION_UNAVAILABLE;

    /** Whether the token could not be checked at all, rather than being found invalid. */
    public boolean isUnavailable() {
      return this == KEYS_UNAVAILABLE || this == INTROSPECTION_UNAVAILABLE;
    }
  }
}
