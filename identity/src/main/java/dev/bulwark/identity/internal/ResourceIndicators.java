package dev.bulwark.identity.internal;

import dev.bulwark.identity.ClientRegistration;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The audiences of a token, narrowed by RFC 8707 resource indicators: at the authorization endpoint
 * and the token endpoint alike.
 */
public final class ResourceIndicators {
  private ResourceIndicators() {}

  /**
   * Each of {@code resources} must be an absolute URI without a fragment (RFC 8707 §2) and one of
   * the client's audiences; with none, the token is for all of the client's audiences.
   *
   * @param refusal builds the endpoint's {@code invalid_target} error from a description
   */
  public static List<String> narrow(
      ClientRegistration client,
      List<String> resources,
      Function<String, ? extends RuntimeException> refusal) {
    if (resources.isEmpty()) {
      return List.copyOf(new TreeSet<>(client.audiences()));
    }
    List<String> audiences = new ArrayList<>();
    for (String resource : resources) {
      try {
        URI uri = new URI(resource);
        if (!uri.isAbsolute() || uri.getFragment() != null) {
          throw refusal.apply("resource must be an absolute URI without a fragment");
        }
      } catch (URISyntaxException e) {
        throw refusal.apply("resource must be an absolute URI without a fragment");
      }
      if (!client.audiences().contains(resource)) {
        throw refusal.apply(
            "resource '" + FormBody.printable(resource) + "' is not allowed for this client");
      }
      if (!audiences.contains(resource)) {
        audiences.add(resource);
      }
    }
    return audiences;
  }
}
