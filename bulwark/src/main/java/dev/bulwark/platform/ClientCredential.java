package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.ClientSecret;
import java.util.List;

/**
 * A client's id and secret as handed to the person running {@code bulwark up}.
 *
 * @param clientId the client's id
 * @param secret its secret
 * @param scopes the scopes it may ask for
 * @param audiences the resources it may call
 */
public record ClientCredential(
    String clientId, ClientSecret secret, List<String> scopes, List<String> audiences) {
  public ClientCredential {
    requireNonNull(clientId, "clientId");
    requireNonNull(secret, "secret");
    scopes = List.copyOf(scopes);
    audiences = List.copyOf(audiences);
  }
}
