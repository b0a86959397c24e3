package dev.bulwark.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where and as whom the gateway asks an issuer about opaque tokens (RFC 7662 §2), authenticating
 * with {@code client_secret_basic} (RFC 6749 §2.3.1).
 *
 * @param endpoint the issuer's introspection endpoint; must be https
 * @param clientId the gateway's client id at the issuer
 * @param clientSecret the gateway's client secret at the issuer
 */
public record Introspection(URI endpoint, String clientId, ClientSecret clientSecret) {
  /** Rejects a non-https endpoint and a blank client id. */
  public Introspection {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(clientId, "clientId");
    requireNonNull(clientSecret, "clientSecret");
    if (!"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
      throw new IllegalArgumentException("endpoint: " + endpoint + " (expected: an https URL)");
    }
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("clientId: blank (expected: the gateway's client id)");
    }
  }
}
