package dev.bulwark.identity.internal;

import io.helidon.http.Status;

/** An OAuth 2.0 error response (RFC 6749 §5.2), thrown inside an endpoint and rendered once. */
final class OAuthError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final String error;
  private final boolean basicChallenge;

  private OAuthError(Status status, String error, String description, boolean basicChallenge) {
    super(description, null, false, false);
    this.status = status;
    this.error = error;
    this.basicChallenge = basicChallenge;
  }

  static OAuthError invalidRequest(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "invalid_request", description, false);
  }

  /** RFC 6749 §5.2: 401, with a Basic challenge when the client tried Basic authentication. */
  static OAuthError invalidClient(String description, boolean usedBasic) {
    return new OAuthError(Status.UNAUTHORIZED_401, "invalid_client", description, usedBasic);
  }

  static OAuthError unauthorizedClient(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "unauthorized_client", description, false);
  }

  /** RFC 6749 §5.2: the grant (code, refresh token, subject token) is invalid or not yours. */
  static OAuthError invalidGrant(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "invalid_grant", description, false);
  }

  static OAuthError unsupportedGrantType(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "unsupported_grant_type", description, false);
  }

  static OAuthError invalidScope(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "invalid_scope", description, false);
  }

  /** RFC 8707 §2: the requested resource is invalid or not allowed for this client. */
  static OAuthError invalidTarget(String description) {
    return new OAuthError(Status.BAD_REQUEST_400, "invalid_target", description, false);
  }

  Status status() {
    return status;
  }

  String error() {
    return error;
  }

  boolean basicChallenge() {
    return basicChallenge;
  }
}
