package dev.bulwark.identity.internal.login;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A validated authorization request (OIDC Core §3.1.2.1), as it waits across the sign-in pages.
 *
 * @param clientId the registered client
 * @param redirectUri one of the client's redirect URIs, exactly
 * @param state the client's state, returned unchanged
 * @param nonce the OIDC nonce for the ID token
 * @param codeChallenge the S256 PKCE challenge (RFC 7636 §4.3)
 * @param scopes the scopes granted
 * @param audiences the access token's audiences
 * @param forceLogin whether the user must authenticate again ({@code prompt=login}, {@code max_age}
 *     exceeded)
 * @param mfaRequired whether a second factor is demanded (acr_values or the client's setting)
 */
record AuthorizationRequest(
    String clientId,
    URI redirectUri,
    Optional<String> state,
    Optional<String> nonce,
    String codeChallenge,
    Set<String> scopes,
    List<String> audiences,
    boolean forceLogin,
    boolean mfaRequired) {
  AuthorizationRequest {
    requireNonNull(clientId, "clientId");
    requireNonNull(redirectUri, "redirectUri");
    requireNonNull(state, "state");
    requireNonNull(nonce, "nonce");
    requireNonNull(codeChallenge, "codeChallenge");
    scopes = Set.copyOf(new LinkedHashSet<>(scopes));
    audiences = List.copyOf(audiences);
  }

  /** The request as form encoding, to keep it in the database while the user signs in. */
  String encode() {
    List<String> pairs = new ArrayList<>();
    pairs.add("client_id=" + BrowserForm.encode(clientId));
    pairs.add("redirect_uri=" + BrowserForm.encode(redirectUri.toString()));
    state.ifPresent(s -> pairs.add("state=" + BrowserForm.encode(s)));
    nonce.ifPresent(n -> pairs.add("nonce=" + BrowserForm.encode(n)));
    pairs.add("code_challenge=" + BrowserForm.encode(codeChallenge));
    pairs.add("scope=" + BrowserForm.encode(String.join(" ", scopes)));
    audiences.forEach(a -> pairs.add("resource=" + BrowserForm.encode(a)));
    pairs.add("force_login=" + forceLogin);
    pairs.add("mfa=" + mfaRequired);
    return String.join("&", pairs);
  }

  static AuthorizationRequest decode(String encoded) {
    BrowserForm form = BrowserForm.parse(encoded);
    String scope = form.first("scope").orElse("");
    return new AuthorizationRequest(
        form.first("client_id").orElseThrow(),
        URI.create(form.first("redirect_uri").orElseThrow()),
        form.first("state"),
        form.first("nonce"),
        form.first("code_challenge").orElseThrow(),
        scope.isEmpty() ? Set.of() : new LinkedHashSet<>(List.of(scope.split(" "))),
        form.all("resource"),
        Boolean.parseBoolean(form.first("force_login").orElse("true")),
        Boolean.parseBoolean(form.first("mfa").orElse("true")));
  }
}
