package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.net.URI;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies RFC 9068 JWT access tokens for one audience: the signature against the issuer's JWKS
 * with an algorithm from an allow-list, the {@code typ} header, and the {@code iss}, {@code aud},
 * {@code exp}, {@code nbf} and {@code iat} claims within a bounded clock skew.
 *
 * <p>Unsigned tokens ({@code alg: none}) and symmetric algorithms are never accepted: a verifier
 * holds only the issuer's public keys. If the issuer's keys cannot be fetched, every token is
 * rejected with {@link Reason#KEYS_UNAVAILABLE} — the verifier fails closed.
 *
 * <p>Instances are immutable and thread-safe; build one per issuer and audience and share it.
 */
public final class AccessTokenVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenVerifier.class);
  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  // Ed25519 (EdDSA, and its fully-specified name Ed25519 from RFC 9864) verifies through Tink,
  // which Nimbus loads for Ed25519Verifier; Ed448 has no verifier in Nimbus and stays out.
  private static final Set<JWSAlgorithm> ASYMMETRIC =
      Set.of(
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.EdDSA,
          JWSAlgorithm.Ed25519);

  private final String issuer;
  private final String audience;
  private final Set<JWSAlgorithm> algorithms;
  private final JWKSource<SecurityContext> keys;
  private final Clock clock;
  private final Duration clockSkew;
  private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
  private final Optional<VerifiedTokenCache> cache;

  private AccessTokenVerifier(Builder builder) {
    this.issuer = builder.issuer;
    this.audience = builder.audience;
    this.algorithms = Set.copyOf(builder.algorithms);
    this.keys = builder.keys.source();
    this.clock = builder.clock;
    this.clockSkew = builder.clockSkew;
    this.cache = builder.cache;
  }

  /** Starts building a verifier. */
  public static Builder builder() {
    return new Builder();
  }

  /** The issuer this verifier trusts. */
  public String issuer() {
    return issuer;
  }

  /** The audience a token must name to be accepted here. */
  public String audience() {
    return audience;
  }

  /**
   * Whether {@link #verify} would answer for {@code compact} from the verified-token cache, with no
   * signature to check and no key to fetch: a caller on an event loop may then verify it there
   * rather than on a thread that may block.
   *
   * @param compact the token as sent in {@code Authorization: Bearer}
   */
  public boolean answersFromCache(String compact) {
    requireNonNull(compact, "compact");
    return cache.isPresent() && cache.get().get(compact, clock.instant()).isPresent();
  }

  /**
   * Checks a compact JWS access token.
   *
   * @param compact the token as sent in {@code Authorization: Bearer}
   * @return {@link Verified} with the token's claims, or {@link Rejected} with the reason
   */
  public TokenVerification verify(String compact) {
    requireNonNull(compact, "compact");
    if (cache.isPresent()) {
      Instant now = clock.instant();
      Optional<AccessToken> seen = cache.get().get(compact, now);
      if (seen.isPresent()) {
        // Signature, issuer and audience were checked when it was cached; time moves on.
        return checkLifetime(seen.get(), now).orElseGet(() -> new Verified(seen.get()));
      }
      TokenVerification result = verifyUncached(compact);
      if (result instanceof Verified verified) {
        cache.get().put(compact, verified.token(), now);
      }
      return result;
    }
    return verifyUncached(compact);
  }

  private Optional<TokenVerification> checkLifetime(AccessToken token, Instant now) {
    return expired(token.expiresAt(), now)
        ? Optional.of(reject(Reason.EXPIRED, "the token has expired"))
        : Optional.empty();
  }

  private boolean expired(Instant expiresAt, Instant now) {
    return !now.isBefore(expiresAt.plus(clockSkew));
  }

  private TokenVerification verifyUncached(String compact) {
    JWT parsed;
    try {
      parsed = JWTParser.parse(compact);
    } catch (ParseException e) {
      return reject(Reason.MALFORMED, "the token is not a well-formed JWT");
    }
    if (parsed instanceof PlainJWT) {
      return reject(Reason.UNSUPPORTED_ALGORITHM, "unsigned tokens (alg none) are not accepted");
    }
    if (parsed instanceof EncryptedJWT || !(parsed instanceof SignedJWT jwt)) {
      return reject(Reason.UNSUPPORTED_ALGORITHM, "only signed (JWS) access tokens are accepted");
    }
    JWSHeader header = jwt.getHeader();
    if (!algorithms.contains(header.getAlgorithm())) {
      return reject(
          Reason.UNSUPPORTED_ALGORITHM,
          "the token's algorithm " + header.getAlgorithm() + " is not accepted");
    }
    if (!isAccessTokenType(header.getType())) {
      return reject(Reason.WRONG_TYPE, "the token's typ is not at+jwt (RFC 9068)");
    }
    List<JWK> candidates;
    try {
      candidates = keys.get(new JWKSelector(matcherFor(header)), null);
    } catch (RateLimitReachedException e) {
      // Unknown key ids may refetch the JWKS only so often; past that they are simply unknown.
      return reject(Reason.UNKNOWN_KEY, "the token's signing key is not one of the issuer's keys");
    } catch (KeySourceException e) {
      LOG.warn(
          "cannot fetch the signing keys of {}: {}; rejecting the token", issuer, e.getMessage());
      return reject(Reason.KEYS_UNAVAILABLE, "the issuer's signing keys are unavailable");
    }
    if (candidates.isEmpty()) {
      return reject(Reason.UNKNOWN_KEY, "the token's signing key is not one of the issuer's keys");
    }
    if (!verifiesWithAny(jwt, header, candidates)) {
      return reject(Reason.BAD_SIGNATURE, "the token's signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return reject(Reason.MALFORMED, "the token's claims are not a JSON object");
    }
    return checkClaims(claims);
  }

  private boolean verifiesWithAny(SignedJWT jwt, JWSHeader header, List<JWK> candidates) {
    for (JWK jwk : candidates) {
      try {
        JWSVerifier verifier;
        if (jwk instanceof OctetKeyPair okp) {
          if (!Curve.Ed25519.equals(okp.getCurve())) {
            continue;
          }
          // Nimbus's verifier factory takes java.security keys, which OKP keys are not.
          verifier = new Ed25519Verifier(okp.toPublicJWK());
        } else if (jwk instanceof AsymmetricJWK asymmetric) {
          Key publicKey = asymmetric.toPublicKey();
          verifier = verifiers.createJWSVerifier(header, publicKey);
        } else {
          continue;
        }
        if (jwt.verify(verifier)) {
          return true;
        }
      } catch (JOSEException | IllegalStateException e) {
        // Key and algorithm do not fit together (e.g. an RSA key for ES256): not a match.
      }
    }
    return false;
  }

  private TokenVerification checkClaims(JWTClaimsSet claims) {
    if (!issuer.equals(claims.getIssuer())) {
      return reject(Reason.WRONG_ISSUER, "the token was not issued by " + issuer);
    }
    List<String> audiences = claims.getAudience();
    if (audiences == null || !audiences.contains(audience)) {
      return reject(Reason.WRONG_AUDIENCE, "the token is not meant for " + audience);
    }
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    String subject = claims.getSubject();
    String jti = claims.getJWTID();
    String clientId;
    String scope;
    try {
      clientId = claims.getStringClaim("client_id");
      scope = claims.getStringClaim("scope");
    } catch (ParseException e) {
      return reject(Reason.MISSING_CLAIM, "the token's client_id and scope claims must be strings");
    }
    if (exp == null || iat == null || subject == null || jti == null || clientId == null) {
      return reject(
          Reason.MISSING_CLAIM,
          "the token lacks a claim RFC 9068 requires (exp, iat, sub, jti, client_id)");
    }
    Instant now = clock.instant();
    if (expired(exp.toInstant(), now)) {
      return reject(Reason.EXPIRED, "the token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(clockSkew))) {
      return reject(Reason.NOT_YET_VALID, "the token is not valid yet");
    }
    if (now.isBefore(iat.toInstant().minus(clockSkew))) {
      return reject(Reason.NOT_YET_VALID, "the token claims to be issued in the future");
    }
    Optional<String> thumbprint;
    try {
      thumbprint = CertificateBinding.fromConfirmation(Optional.ofNullable(claims.getClaim("cnf")));
    } catch (IllegalArgumentException e) {
      return reject(
          Reason.MALFORMED,
          "the token's cnf claim is not a certificate binding with x5t#S256 (RFC 8705 §3.1)");
    }
    Set<String> scopes = new LinkedHashSet<>();
    if (scope != null && !scope.isBlank()) {
      scopes.addAll(Arrays.asList(scope.trim().split(" +")));
    }
    return new Verified(
        new AccessToken(
            claims.getIssuer(),
            subject,
            clientId,
            audiences,
            scopes,
            iat.toInstant(),
            exp.toInstant(),
            jti,
            names(claims, "roles"),
            names(claims, "groups"),
            names(claims, "amr"),
            thumbprint));
  }

  // A claim of names is a JSON array of strings (RFC 8176, RFC 9068 §7.2.1.1) or, as some issuers
  // write roles, one space-separated string. Anything else counts as absent: a malformed claim must
  // never widen what the token grants.
  private static Set<String> names(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    Set<String> out = new LinkedHashSet<>();
    if (value instanceof String text) {
      for (String part : text.trim().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    } else if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      list.forEach(v -> out.add((String) v));
    }
    return out;
  }

  private static JWKMatcher matcherFor(JWSHeader header) {
    JWKMatcher.Builder matcher =
        new JWKMatcher.Builder()
            .keyTypes(com.nimbusds.jose.jwk.KeyType.forAlgorithm(header.getAlgorithm()))
            .keyUses(KeyUse.SIGNATURE, null)
            .algorithms(header.getAlgorithm(), null);
    if (header.getKeyID() != null) {
      matcher.keyID(header.getKeyID());
    }
    return matcher.build();
  }

  // RFC 9068 §4: "at+jwt", or "application/at+jwt" with its media-type prefix, case-insensitive.
  private static boolean isAccessTokenType(JOSEObjectType type) {
    if (type == null) {
      return false;
    }
    String value = type.getType().toLowerCase(Locale.ROOT);
    return value.equals("at+jwt") || value.equals("application/at+jwt");
  }

  private static Rejected reject(Reason reason, String description) {
    return new Rejected(reason, description);
  }

  /** Builds an {@link AccessTokenVerifier}; issuer, audience and a key source are required. */
  public static final class Builder {
    private String issuer;
    private String audience;
    private Set<JWSAlgorithm> algorithms = Set.of(JWSAlgorithm.ES256);
    private IssuerKeys keys;
    private Clock clock = Clock.systemUTC();
    private Duration clockSkew = Duration.ofSeconds(30);
    private Optional<VerifiedTokenCache> cache = Optional.empty();

    private Builder() {}

    /** The exact {@code iss} value to accept. */
    public Builder issuer(String issuer) {
      this.issuer = requireNonNull(issuer, "issuer");
      return this;
    }

    /** The audience this verifier protects; tokens must name it in {@code aud}. */
    public Builder audience(String audience) {
      this.audience = requireNonNull(audience, "audience");
      return this;
    }

    /**
     * The signature algorithms to accept (default: ES256). Only asymmetric algorithms are allowed:
     * a verifier holding a public key must never treat it as an HMAC secret.
     */
    public Builder algorithms(Set<JWSAlgorithm> algorithms) {
      if (algorithms.isEmpty()) {
        throw new IllegalArgumentException("algorithms: empty (expected: e.g. ES256)");
      }
      for (JWSAlgorithm algorithm : algorithms) {
        if (!ASYMMETRIC.contains(algorithm)) {
          throw new IllegalArgumentException(
              "algorithms: "
                  + algorithm
                  + " (expected: an ECDSA, RSA, RSA-PSS or Ed25519 algorithm such as ES256, RS256,"
                  + " PS256, EdDSA)");
        }
      }
      this.algorithms = Set.copyOf(algorithms);
      return this;
    }

    /**
     * Fetches keys from the issuer's JWKS URL over HTTPS, trusting {@code tls}, with {@link
     * IssuerKeys.Options#defaults()}. A verifier built this way has its own cache and fetcher; to
     * share them between verifiers of one issuer, use {@link #keys(IssuerKeys)}.
     */
    public Builder jwksUri(URI jwksUri, SSLContext tls) {
      this.keys = IssuerKeys.fetchedFrom(jwksUri, tls, IssuerKeys.Options.defaults());
      return this;
    }

    /** Uses a fixed set of public keys, e.g. configured out of band. */
    public Builder keys(JWKSet publicKeys) {
      this.keys = IssuerKeys.fixed(publicKeys);
      return this;
    }

    /** Uses an issuer's key source that other verifiers of the same issuer may share. */
    public Builder keys(IssuerKeys keys) {
      this.keys = requireNonNull(keys, "keys");
      return this;
    }

    /**
     * The clock to judge {@code exp}, {@code nbf} and {@code iat} by (default: the system clock).
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** The tolerated difference between clocks, from 0 to 5 minutes (default 30 seconds). */
    public Builder clockSkew(Duration clockSkew) {
      if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: 0s to 5m)");
      }
      this.clockSkew = clockSkew;
      return this;
    }

    /**
     * Remembers up to {@code maxEntries} verified tokens for at most {@code maxAge} each, so a
     * token presented again skips the signature check; expiry is still checked on every use. A key
     * the issuer withdraws stops being trusted for cached tokens after {@code maxAge}.
     */
    public Builder cacheVerifiedTokens(int maxEntries, Duration maxAge) {
      if (maxEntries < 1) {
        throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
      }
      if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "maxAge: " + maxAge + " (expected: more than 0, at most 10m)");
      }
      this.cache = Optional.of(new VerifiedTokenCache(maxEntries, maxAge));
      return this;
    }

    /** Builds the verifier, failing if issuer, audience or keys are missing. */
    public AccessTokenVerifier build() {
      if (issuer == null || issuer.isBlank()) {
        throw new IllegalStateException("issuer: not set (expected: the issuer's URL)");
      }
      if (audience == null || audience.isBlank()) {
        throw new IllegalStateException("audience: not set (expected: this service's audience)");
      }
      if (keys == null) {
        throw new IllegalStateException("keys: not set (expected: jwksUri(...) or keys(...))");
      }
      return new AccessTokenVerifier(this);
    }
  }
}
