package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
 * @param roles the {@code roles} claim (RFC 9068 §7.2.1.1, from RFC 7643): the roles the subject
 *     holds
 * @param groups the {@code groups} claim (RFC 9068 §7.2.1.1): the groups the subject belongs to
 * @param authenticationMethods the {@code amr} claim (RFC 8176): how the subject authenticated
 * @param certificateThumbprint the {@code cnf} claim's {@code x5t#S256} member (RFC 8705 §3.1): the
 *     base64url SHA-256 thumbprint of the DER client certificate the token is bound to; empty for a
 *     token bound to no certificate
 */
public record AccessToken(
    String issuer,
    String subject,
    String clientId,
    List<String> audiences,
    Set<String> scopes,
    Instant issuedAt,
    Instant expiresAt,
    String tokenId,
    Set<String> roles,
    Set<String> groups,
    Set<String> authenticationMethods,
    Optional<String> certificateThumbprint) {

  /** {@code amr} values (RFC 8176 §2) that mean a factor beyond the first was used. */
  private static final Set<String> SECOND_FACTORS = Set.of("mfa", "otp", "hwk", "swk", "sms", "sc");

  /** A token without roles, groups or authentication methods, e.g. a client's own. */
  public AccessToken(
      String issuer,
      String subject,
      String clientId,
      List<String> audiences,
      Set<String> scopes,
      Instant issuedAt,
      Instant expiresAt,
      String tokenId) {
    this(
        issuer, subject, clientId, audiences, scopes, issuedAt, expiresAt, tokenId, Set.of(),
        Set.of(), Set.of());
  }

  /** A token bound to no client certificate. */
  public AccessToken(
      String issuer,
      String subject,
      String clientId,
      List<String> audiences,
      Set<String> scopes,
      Instant issuedAt,
      Instant expiresAt,
      String tokenId,
      Set<String> roles,
      Set<String> groups,
      Set<String> authenticationMethods) {
    this(
        issuer,
        subject,
        clientId,
        audiences,
        scopes,
        issuedAt,
        expiresAt,
        tokenId,
        roles,
        groups,
        authenticationMethods,
        Optional.empty());
  }

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
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
    authenticationMethods = Set.copyOf(authenticationMethods);
    requireNonNull(certificateThumbprint, "certificateThumbprint");
  }

  /**
   * Whether the subject authenticated with more than one factor: {@code amr} names {@code mfa} or a
   * second-factor method (RFC 8176 §2: {@code otp}, {@code hwk}, {@code swk}, {@code sms}, {@code
   * sc}).
   */
  public boolean isMultiFactor() {
    return authenticationMethods.stream().anyMatch(SECOND_FACTORS::contains);
  }

  /** Whether the token was granted {@code scope}. */
  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }
}
