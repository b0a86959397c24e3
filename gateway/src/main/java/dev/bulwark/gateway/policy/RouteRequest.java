package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.Route;
import dev.bulwark.sdk.token.AccessToken;

/**
 * A request the gateway has authenticated and must now authorize.
 *
 * @param token the verified access token: the caller's subject, roles, groups and authentication
 *     methods are read from it alone, never from a request header or body
 * @param method the HTTP method
 * @param route the route the path falls under
 * @param path the canonical (decoded, normalized) path that will be forwarded
 * @param sourceAddress the TCP peer's IP address
 */
public record RouteRequest(
    AccessToken token, String method, Route route, String path, String sourceAddress) {
  public RouteRequest {
    requireNonNull(token, "token");
    requireNonNull(method, "method");
    requireNonNull(route, "route");
    requireNonNull(path, "path");
    requireNonNull(sourceAddress, "sourceAddress");
  }
}
