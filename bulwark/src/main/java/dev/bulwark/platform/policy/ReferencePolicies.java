package dev.bulwark.platform.policy;

import dev.bulwark.gateway.policy.RoutePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The policy sets a new platform starts with: the gateway's reference policy, and for each
 * reference service the set shipped with it on the class path ({@code
 * policies/<service>/<service>.cedar} with an optional {@code schema.cedarschema}).
 */
public final class ReferencePolicies {
  /** The gateway's store. */
  public static final String GATEWAY = "gateway";

  private ReferencePolicies() {}

  /** Seeds {@code store} with every reference set it does not hold yet. */
  public static void seed(PolicyStore store, Iterable<String> services) {
    store.seed(GATEWAY, RoutePolicy.REFERENCE_POLICY, Optional.empty());
    for (String service : services) {
      resource("policies/" + service + "/" + service + ".cedar")
          .ifPresent(
              policies ->
                  store.seed(
                      service, policies, resource("policies/" + service + "/schema.cedarschema")));
    }
  }

  private static Optional<String> resource(String path) {
    try (InputStream in = ReferencePolicies.class.getClassLoader().getResourceAsStream(path)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " from the class path", e);
    }
  }
}
