package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A confidential client that may use the client-credentials grant.
 *
 * @param clientId the client's id
 * @param displayName a human name
 * @param scopes the scopes it may be granted
 * @param audiences the resource servers (RFC 8707 resource indicators) it may obtain tokens for
 */
public record ClientRegistration(
    String clientId, String displayName, Set<String> scopes, Set<String> audiences) {
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{3,128}");
  // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");

  public ClientRegistration {
    requireNonNull(clientId, "clientId");
    requireNonNull(displayName, "displayName");
    scopes = Set.copyOf(scopes);
    audiences = Set.copyOf(audiences);
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "clientId: '" + clientId + "' (expected: 3-128 of A-Z a-z 0-9 . _ -)");
    }
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        throw new IdentityException(
            IdentityException.Code.CLIENT_INVALID,
            "scope: '" + scope + "' (expected: RFC 6749 scope-token, no spaces or quotes)");
      }
    }
    if (audiences.isEmpty()) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "audiences: empty (expected: at least one resource the client may call)");
    }
    audiences.forEach(ClientRegistration::requireResourceIndicator);
  }

  /** RFC 8707 §2: an absolute URI with no fragment. */
  static void requireResourceIndicator(String audience) {
    try {
      URI uri = new URI(audience);
      if (!uri.isAbsolute() || uri.getFragment() != null) {
        throw new URISyntaxException(audience, "not absolute or has a fragment");
      }
    } catch (URISyntaxException e) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "audience: '" + audience + "' (expected: an absolute URI with no fragment, RFC 8707)");
    }
  }
}
