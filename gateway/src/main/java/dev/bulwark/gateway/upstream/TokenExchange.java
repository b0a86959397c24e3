package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A route's token exchange settings (RFC 8693): the caller's token is traded at {@code
 * tokenEndpoint} for one whose audience is {@code audience}, the gateway authenticating as {@code
 * clientId} with {@code clientSecret} (client_secret_basic, RFC 6749 §2.3.1).
 *
 * @param tokenEndpoint the identity provider's token endpoint (https)
 * @param clientId the gateway's client id
 * @param clientSecret the gateway's client secret; never printed
 * @param audience the audience the exchanged token must name: the upstream's
 */
public record TokenExchange(
    URI tokenEndpoint, String clientId, String clientSecret, String audience) {
  public TokenExchange {
    requireNonNull(tokenEndpoint, "tokenEndpoint");
    requireNonNull(clientId, "clientId");
    requireNonNull(clientSecret, "clientSecret");
    requireNonNull(audience, "audience");
    if (!"https".equals(tokenEndpoint.getScheme())) {
      throw new IllegalArgumentException(
          "tokenEndpoint: " + tokenEndpoint + " (expected: an https URL)");
    }
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("clientId: blank (expected: the gateway's client id)");
    }
    if (clientSecret.isEmpty()) {
      throw new IllegalArgumentException("clientSecret: empty (expected: the gateway's secret)");
    }
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience: blank (expected: the upstream's audience)");
    }
  }

  @Override
  public String toString() {
    return "TokenExchange[tokenEndpoint="
        + tokenEndpoint
        + ", clientId="
        + clientId
        + ", clientSecret=***, audience="
        + audience
        + "]";
  }
}
