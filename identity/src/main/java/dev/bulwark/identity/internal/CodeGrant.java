package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an authorization code stands for: a user's consent, through one session, to one client, for
 * one redirect URI and one PKCE challenge (RFC 7636 §4.4, S256 only).
 *
 * @param clientId the client the code was issued to
 * @param userId who signed in
 * @param sessionId the session they signed in with ({@code sid})
 * @param redirectUri the redirect URI of the authorization request, repeated at the token endpoint
 * @param codeChallenge {@code BASE64URL(SHA256(code_verifier))}
 * @param scopes the scopes granted
 * @param audiences the audiences of the access token
 * @param nonce the OIDC nonce to put in the ID token
 * @param authTime when the user authenticated
 * @param amr how they authenticated
 * @param acr the level reached
 */
public record CodeGrant(
    String clientId,
    String userId,
    String sessionId,
    URI redirectUri,
    String codeChallenge,
    Set<String> scopes,
    List<String> audiences,
    Optional<String> nonce,
    Instant authTime,
    List<String> amr,
    String acr) {
  public CodeGrant {
    requireNonNull(clientId, "clientId");
    requireNonNull(userId, "userId");
    requireNonNull(sessionId, "sessionId");
    requireNonNull(redirectUri, "redirectUri");
    requireNonNull(codeChallenge, "codeChallenge");
    scopes = Set.copyOf(scopes);
    audiences = List.copyOf(audiences);
    requireNonNull(nonce, "nonce");
    requireNonNull(authTime, "authTime");
    amr = List.copyOf(amr);
    requireNonNull(acr, "acr");
  }
}
