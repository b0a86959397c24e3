package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Authenticates an HTTP request by its {@code Authorization: Bearer} header (RFC 6750 §2.1) and
 * says what to answer when it fails, independent of the HTTP server in use.
 */
public final class BearerAuthenticator {
  private final Function<String, TokenVerification> verifier;
  private final String realm;

  /**
   * @param verifier checks the token
   * @param realm the realm named in {@code WWW-Authenticate} challenges
   */
  public BearerAuthenticator(AccessTokenVerifier verifier, String realm) {
    this(requireNonNull(verifier, "verifier")::verify, realm);
  }

  /**
   * An authenticator whose tokens are checked by {@code check}, e.g. one that picks among several
   * issuers or asks an introspection endpoint.
   *
   * @param check checks the bearer token (never null, never blank, without the scheme)
   * @param realm the realm named in {@code WWW-Authenticate} challenges
   */
  public BearerAuthenticator(Function<String, TokenVerification> check, String realm) {
    this.verifier = requireNonNull(check, "check");
    this.realm = requireNonNull(realm, "realm");
  }

  /**
   * Authenticates a request from the value of its {@code Authorization} header.
   *
   * @param authorization the header's value, if the request had one
   * @return the verified token, or the 401 challenge to answer with
   */
  public Authentication authenticate(Optional<String> authorization) {
    if (authorization.isEmpty()) {
      return new Authentication.Challenged(
          BearerChallenge.missingToken(realm),
          "missing_token",
          "a bearer token is required",
          Optional.empty());
    }
    String header = authorization.get();
    // RFC 6750 §2.1: the scheme is case-insensitive; the credentials are one b64token.
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Authentication.Challenged(
          BearerChallenge.missingToken(realm),
          "missing_token",
          "the Authorization scheme must be Bearer",
          Optional.empty());
    }
    String token = header.substring(7).trim();
    if (token.isEmpty() || token.indexOf(' ') >= 0) {
      return challenge(
          new Rejected(TokenVerification.Reason.MALFORMED, "the bearer token is malformed"));
    }
    return switch (verifier.apply(token)) {
      case Verified verified -> new Authentication.Authenticated(verified.token());
      case Rejected rejected -> challenge(rejected);
    };
  }

  /** The 403 challenge for a verified token that lacks {@code scope} (RFC 6750 §3.1). */
  public String insufficientScope(String scope) {
    return BearerChallenge.insufficientScope(realm, scope);
  }

  private Authentication challenge(Rejected rejected) {
    if (rejected.reason().isUnavailable()) {
      // Still a refusal (fail closed), but not the caller's fault: 401 would send it off to fetch
      // a new token that cannot be checked either.
      return new Authentication.Challenged(
          BearerChallenge.missingToken(realm),
          "temporarily_unavailable",
          rejected.description(),
          Optional.of(rejected.reason()));
    }
    return new Authentication.Challenged(
        BearerChallenge.invalidToken(realm, rejected.description()),
        "invalid_token",
        rejected.description(),
        Optional.of(rejected.reason()));
  }

  /** The outcome of authenticating a request. */
  public sealed interface Authentication {
    /**
     * The request carries a valid token.
     *
     * @param token the verified token
     */
    record Authenticated(AccessToken token) implements Authentication {
      /** Rejects a null token. */
      public Authenticated {
        requireNonNull(token, "token");
      }
    }

    /**
     * The request must be refused: with 401 and this challenge, or with 503 when the token could
     * not be checked at all (see {@link #status()}).
     *
     * @param wwwAuthenticate the {@code WWW-Authenticate} header value
     * @param error the OAuth error code for the response body
     * @param description a description safe to show the caller
     * @param reason why the token was rejected, when one was sent
     */
    record Challenged(
        String wwwAuthenticate,
        String error,
        String description,
        Optional<TokenVerification.Reason> reason)
        implements Authentication {
      /** Rejects null values. */
      public Challenged {
        requireNonNull(wwwAuthenticate, "wwwAuthenticate");
        requireNonNull(error, "error");
        requireNonNull(description, "description");
        requireNonNull(reason, "reason");
      }

      /**
       * The HTTP status to answer with: 503 when the issuer's keys or introspection are unavailable
       * (send {@code Retry-After}, not the challenge), 401 otherwise (send {@code
       * WWW-Authenticate}).
       */
      public int status() {
        return reason.filter(TokenVerification.Reason::isUnavailable).isPresent() ? 503 : 401;
      }

      /**
       * The response header that goes with {@link #status()}, as name and value: {@code
       * WWW-Authenticate} with the challenge for 401, {@code Retry-After} for 503.
       */
      public Map.Entry<String, String> responseHeader() {
        return status() == 401
            ? Map.entry("WWW-Authenticate", wwwAuthenticate)
            : Map.entry("Retry-After", "5");
      }
    }
  }
}
