package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A verified RFC 9068 access token: who it speaks for, which client obtained it, for which
 * audiences, with which scopes, until when. Only {@link AccessTokenVerifier} creates these, after
 * the signature and claims have been checked.
 *
 * @param issuer the {@code iss} claim
 * @param subject the {@code sub} claim: the user, or the client itself for client credentials
 * @param clientId the {@code client_id} claim (RFC 9068 §2.2)
 * @param audiences the {@code aud} claim
 * @param scopes the space-separated {@code scope} claim, split
 * @param issuedAt the {@code iat} claim
 * @param expiresAt the {@code exp} claim
 * @param tokenId the {@code jti} claim
 */
public record AccessToken(
    String issuer,
    String subject,
    String clientId,
    List<String> audiences,
    Set<String> scopes,
    Instant issuedAt,
    Instant expiresAt,
    String tokenId) {

  /** Copies the collections and rejects missing values. */
  public AccessToken {
    requireNonNull(issuer, "issuer");
    requireNonNull(subject, "subject");
    requireNonNull(clientId, "clientId");
    audiences = List.copyOf(audiences);
    scopes = Set.copyOf(scopes);
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(tokenId, "tokenId");
  }

  /** Whether the token was granted {@code scope}. */
  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }
}
