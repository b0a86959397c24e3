package dev.bulwark.gateway.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTParser;
import dev.bulwark.sdk.token.AccessToken;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.BearerAuthenticator;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import dev.bulwark.sdk.token.CertificateBinding;
import dev.bulwark.sdk.token.TokenVerification;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates the callers of one route by their bearer token (RFC 6750 §2.1), whichever trusted
 * issuer issued it: a JWT (RFC 9068) is verified by the issuer its unverified {@code iss} names; an
 * opaque token is introspected (RFC 7662) at the issuers that offer it, in order. A token bound to
 * a client certificate (RFC 8705 §3) is accepted only from a caller that presented that certificate
 * over TLS.
 *
 * <p>Get instances from {@link CallerAuthenticators#forAudience(String)}, which shares keys and
 * caches between routes. Thread-safe.
 */
public final class CallerAuthenticator {
  private final String audience;
  private final String realm;
  private final Map<String, AccessTokenVerifier> verifiers;
  private final List<Introspector> introspectors;
  private final IntrospectionCache answers;
  private final CallerAuthenticators.Options options;
  private final Clock clock;

  CallerAuthenticator(
      String audience,
      String realm,
      Map<String, AccessTokenVerifier> verifiers,
      List<Introspector> introspectors,
      IntrospectionCache answers,
      CallerAuthenticators.Options options,
      Clock clock) {
    this.audience = audience;
    this.realm = realm;
    this.verifiers = Map.copyOf(verifiers);
    this.introspectors = List.copyOf(introspectors);
    this.answers = answers;
    this.options = options;
    this.clock = clock;
  }

  /** The audience a token must name to be accepted on this route. */
  public String audience() {
    return audience;
  }

  /**
   * Authenticates a request.
   *
   * @param authorization the {@code Authorization} header's value, if the request had one
   * @param clientCertificate the certificate the caller presented in the TLS handshake, if any
   * @return {@link Authentication.Authenticated} with the token, or {@link
   *     Authentication.Challenged} with the 401 challenge (or 503 when no issuer could be asked)
   */
  public Authentication authenticate(
      Optional<String> authorization, Optional<X509Certificate> clientCertificate) {
    requireNonNull(authorization, "authorization");
    requireNonNull(clientCertificate, "clientCertificate");
    return new BearerAuthenticator(token -> check(token, clientCertificate), realm)
        .authenticate(authorization);
  }

  /**
   * Whether {@link #authenticate} would answer for {@code authorization} without any I/O (no key to
   * fetch, no issuer to ask): no token, a token seen and verified before, or an opaque token whose
   * introspection answer is cached. Conservative: when in doubt, false.
   */
  public boolean answersWithoutIo(Optional<String> authorization) {
    Optional<String> token =
        authorization
            .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(value -> value.substring(7).trim());
    if (token.isEmpty() || token.get().isEmpty()) {
      // No bearer token: answered with a challenge.
      return true;
    }
    if (isJwt(token.get())) {
      // Only the verifier of the token's own issuer can have verified (and cached) it.
      for (AccessTokenVerifier verifier : verifiers.values()) {
        if (verifier.answersFromCache(token.get())) {
          return true;
        }
      }
      return false;
    }
    return introspectors.isEmpty() || answers.get(sha256(token.get()), clock.instant()).isPresent();
  }

  private TokenVerification check(String token, Optional<X509Certificate> clientCertificate) {
    TokenVerification result = isJwt(token) ? verifyJwt(token) : introspect(token);
    if (result instanceof Verified verified
        && !CertificateBinding.permits(verified.token(), clientCertificate)) {
      return new Rejected(
          Reason.CERTIFICATE_MISMATCH,
          "the token is bound to a client certificate this request was not made with");
    }
    return result;
  }

  // RFC 7515 §7.1: a compact JWS is exactly three dot-separated parts.
  private static boolean isJwt(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    return second > 0 && token.indexOf('.', second + 1) < 0;
  }

  private TokenVerification verifyJwt(String token) {
    if (verifiers.size() == 1) {
      // One issuer: its verifier checks iss itself, and a token it has seen before costs a cache
      // lookup rather than a parse of the claims.
      return verifiers.values().iterator().next().verify(token);
    }
    String issuer;
    try {
      // Only to choose the verifier: that verifier checks the signature and iss again.
      issuer = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
    } catch (ParseException e) {
      return new Rejected(Reason.MALFORMED, "the token is not a well-formed JWT");
    }
    AccessTokenVerifier verifier = issuer == null ? null : verifiers.get(issuer);
    if (verifier == null) {
      return new Rejected(Reason.WRONG_ISSUER, "the token's issuer is not trusted here");
    }
    return verifier.verify(token);
  }

  private TokenVerification introspect(String token) {
    if (introspectors.isEmpty()) {
      return new Rejected(Reason.MALFORMED, "the token is not a JWT");
    }
    String tokenHash = sha256(token);
    Instant now = clock.instant();
    Optional<TokenVerification> cached = answers.get(tokenHash, now);
    if (cached.isPresent()) {
      return forThisRoute(cached.get());
    }
    boolean someoneUnreachable = false;
    TokenVerification answer = new Rejected(Reason.INACTIVE, "the token is not active");
    for (Introspector introspector : introspectors) {
      Optional<TokenVerification> reply = introspector.introspect(token, tokenHash);
      if (reply.isEmpty()) {
        someoneUnreachable = true;
      } else if (reply.get() instanceof Verified) {
        answer = reply.get();
        someoneUnreachable = false;
        break;
      } else {
        answer = reply.get();
      }
    }
    if (someoneUnreachable) {
      // An issuer we could not ask might have known the token: refuse, but do not remember it.
      return new Rejected(
          Reason.INTROSPECTION_UNAVAILABLE, "the token's issuer cannot be reached to check it");
    }
    answers.put(tokenHash, answer, cacheUntil(answer, now));
    return forThisRoute(answer);
  }

  // An active answer is reused at most until the token expires; a refusal only briefly, so a token
  // that becomes valid (nbf) or a flood of garbage is handled without hammering the issuer.
  private Instant cacheUntil(TokenVerification answer, Instant now) {
    if (answer instanceof Verified verified) {
      Instant latest = now.plus(options.activeAnswerTtl());
      Instant expiry = verified.token().expiresAt();
      return expiry.isBefore(latest) ? expiry : latest;
    }
    return now.plus(options.inactiveAnswerTtl());
  }

  private TokenVerification forThisRoute(TokenVerification answer) {
    if (answer instanceof Verified verified) {
      AccessToken token = verified.token();
      if (!token.audiences().contains(audience)) {
        return new Rejected(Reason.WRONG_AUDIENCE, "the token is not meant for " + audience);
      }
    }
    return answer;
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
