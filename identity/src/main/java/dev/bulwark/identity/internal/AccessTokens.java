package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bulwark.identity.ClientRegistration;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Access tokens in the client's format: RFC 9068 JWTs signed with the client's algorithm, or opaque
 * random references whose claims only introspection reveals. Tokens that must be revocable as a
 * group (issued from a code, in a refresh family, or by exchange) and opaque tokens are recorded by
 * their {@code jti} at issue. A client-credentials JWT is not ({@link #issueUnrecorded}): it is
 * self-contained, and revoking it adds its {@code jti} to the revocation list then (RFC 7009), so
 * the hot path of service-to-service tokens writes nothing.
 */
public final class AccessTokens {
  static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
  private static final Set<JWSAlgorithm> OUR_ALGORITHMS =
      Set.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA);

  private final SigningKeyRing keys;
  private final TokenStore store;
  private final Supplier<String> issuer;
  private final Clock clock;

  public AccessTokens(SigningKeyRing keys, TokenStore store, Supplier<String> issuer, Clock clock) {
    this.keys = requireNonNull(keys, "keys");
    this.store = requireNonNull(store, "store");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** An issued token: its value (shown once), id, expiry and claims. */
  public record Issued(
      String value, String jti, Duration lifetime, Instant expiresAt, JWTClaimsSet claims) {
    @Override
    public String toString() {
      return "Issued[jti=" + jti + ", expiresAt=" + expiresAt + "]";
    }
  }

  /** A token that is ours, unexpired and not revoked. */
  public record Active(TokenStore.AccessTokenRecord record, JWTClaimsSet claims) {}

  /**
   * Issues a token for {@code client}: {@code claims} carries what depends on the grant ({@code
   * sub}, {@code aud}, {@code scope}, user claims, {@code cnf}, {@code act}); this adds {@code
   * iss}, {@code iat}, {@code nbf}, {@code exp}, {@code jti} and {@code client_id} (RFC 9068 §2.2).
   */
  public Issued issue(
      ClientRegistration client,
      JWTClaimsSet.Builder claims,
      Duration lifetime,
      Optional<String> familyId,
      Optional<String> codeHash) {
    return issue(client, claims, lifetime, familyId, codeHash, true);
  }

  /**
   * Issues a client-credentials token ({@code sub} is the client): a JWT is not recorded, as
   * nothing revokes it as part of a group; an opaque one is, as only its record holds its claims.
   */
  public Issued issueUnrecorded(
      ClientRegistration client, JWTClaimsSet.Builder claims, Duration lifetime) {
    return issue(client, claims, lifetime, Optional.empty(), Optional.empty(), false);
  }

  private Issued issue(
      ClientRegistration client,
      JWTClaimsSet.Builder claims,
      Duration lifetime,
      Optional<String> familyId,
      Optional<String> codeHash,
      boolean recordJwt) {
    Instant now = clock.instant();
    Instant expires = now.plus(lifetime);
    String jti = UUID.randomUUID().toString();
    JWTClaimsSet set =
        claims
            .issuer(issuer.get())
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(expires))
            .jwtID(jti)
            .claim("client_id", client.clientId())
            .build();
    String value;
    Optional<String> hash;
    if (client.tokenFormat() == ClientRegistration.TokenFormat.OPAQUE) {
      value = Tokens.random();
      hash = Optional.of(Tokens.hash(value));
    } else {
      value = keys.sign(JWSAlgorithm.parse(client.signingAlgorithm()), AT_JWT, set).serialize();
      hash = Optional.empty();
      if (!recordJwt) {
        return new Issued(value, jti, lifetime, expires, set);
      }
    }
    store.recordAccessToken(
        new TokenStore.AccessTokenRecord(
            jti,
            client.clientId(),
            set.getSubject(),
            familyId,
            codeHash,
            set.toString(),
            now,
            expires,
            Optional.empty()),
        hash);
    return new Issued(value, jti, lifetime, expires, set);
  }

  /**
   * The active access token {@code token} is, if it is one: a JWT whose signature verifies with our
   * keys, or an opaque value we issued; in both cases recorded, unexpired and not revoked.
   */
  public Optional<Active> resolve(String token) {
    Instant now = clock.instant();
    return find(token)
        .filter(r -> r.isActive(now))
        .flatMap(
            r -> {
              try {
                return Optional.of(new Active(r, JWTClaimsSet.parse(r.claimsJson())));
              } catch (ParseException e) {
                return Optional.empty();
              }
            });
  }

  /**
   * The record of {@code token} if we issued it, active or not: a JWT only if its signature
   * verifies, so that a forged {@code jti} finds nothing. An unrecorded client-credentials JWT that
   * was never revoked has no row: its record is then made from its own (verified) claims.
   */
  public Optional<TokenStore.AccessTokenRecord> find(String token) {
    requireNonNull(token, "token");
    if (token.chars().filter(c -> c == '.').count() == 2) {
      return verifiedJwt(token)
          .flatMap(
              claims -> store.accessTokenByJti(claims.getJWTID()).or(() -> unrecorded(claims)));
    }
    // Opaque tokens are 256 bits in base64url: 43 characters.
    return token.length() == 43 ? store.accessTokenByHash(Tokens.hash(token)) : Optional.empty();
  }

  /**
   * Revokes the access token of {@code record} (RFC 7009): a recorded one is marked revoked, an
   * unrecorded client-credentials JWT enters the revocation list until its expiry. Returns whether
   * it was not yet revoked.
   */
  public boolean revoke(TokenStore.AccessTokenRecord record) {
    requireNonNull(record, "record");
    return store.revokeAccessToken(record.jti()) || store.recordRevokedAccessToken(record);
  }

  /*
   * Only a client-credentials token may lack a record: its sub is the client itself and it carries
   * none of what marks a user's, a family's or an exchanged token (sid, auth_time, act). Any other
   * token without a row is refused (fail closed): its row is only purged a day after its expiry.
   */
  private Optional<TokenStore.AccessTokenRecord> unrecorded(JWTClaimsSet claims) {
    Object clientId = claims.getClaim("client_id");
    if (!(clientId instanceof String client)
        || !client.equals(claims.getSubject())
        || claims.getClaim("act") != null
        || claims.getClaim("sid") != null
        || claims.getClaim("auth_time") != null
        || claims.getIssueTime() == null
        || claims.getExpirationTime() == null) {
      return Optional.empty();
    }
    return Optional.of(
        new TokenStore.AccessTokenRecord(
            claims.getJWTID(),
            client,
            client,
            Optional.empty(),
            Optional.empty(),
            claims.toString(),
            claims.getIssueTime().toInstant(),
            claims.getExpirationTime().toInstant(),
            Optional.empty()));
  }

  // The signature, type and issuer; expiry and revocation are checked against the record.
  private Optional<JWTClaimsSet> verifiedJwt(String token) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(AT_JWT));
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(OUR_ALGORITHMS, new ImmutableJWKSet<>(keys.publicKeys())));
    processor.setJWTClaimsSetVerifier((claims, context) -> {});
    try {
      JWTClaimsSet claims = processor.process(token, null);
      if (!issuer.get().equals(claims.getIssuer()) || claims.getJWTID() == null) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      return Optional.empty();
    }
  }
}
