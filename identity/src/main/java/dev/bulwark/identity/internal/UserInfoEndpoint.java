package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.identity.UserAccount;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The UserInfo endpoint (OIDC Core §5.3): the signed-in user's claims, by the scopes of the bearer
 * access token (RFC 6750 §2.1, Authorization header only).
 */
public final class UserInfoEndpoint {
  private final AccessTokens accessTokens;
  private final UserDirectory users;

  public UserInfoEndpoint(AccessTokens accessTokens, UserDirectory users) {
    this.accessTokens = requireNonNull(accessTokens, "accessTokens");
    this.users = requireNonNull(users, "users");
  }

  /** {@code GET|POST /userinfo}. */
  public void handle(ServerRequest req, ServerResponse res) {
    Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
    if (header.isEmpty()) {
      // RFC 6750 §3.1: no credentials, no error code.
      challenge(res, Status.UNAUTHORIZED_401, "Bearer realm=\"bulwark\"", "invalid_request");
      return;
    }
    if (!header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      challenge(
          res,
          Status.UNAUTHORIZED_401,
          "Bearer realm=\"bulwark\", error=\"invalid_request\"",
          "invalid_request");
      return;
    }
    String token = header.get().substring(7).trim();
    Optional<AccessTokens.Active> active = accessTokens.resolve(token);
    Optional<UserAccount> user =
        active.flatMap(a -> users.byId(a.claims().getSubject())).filter(UserAccount::enabled);
    if (active.isEmpty() || user.isEmpty()) {
      challenge(
          res,
          Status.UNAUTHORIZED_401,
          "Bearer realm=\"bulwark\", error=\"invalid_token\"",
          "invalid_token");
      return;
    }
    Set<String> scopes = TokenEndpoint.scopes(active.get().claims());
    if (!scopes.contains("openid")) {
      // RFC 6750 §3.1: a valid token without the scope this resource needs.
      challenge(
          res,
          Status.FORBIDDEN_403,
          "Bearer realm=\"bulwark\", error=\"insufficient_scope\", scope=\"openid\"",
          "insufficient_scope");
      return;
    }
    UserAccount account = user.get();
    ObjectNode body = Json.object().put("sub", account.userId());
    if (scopes.contains("profile")) {
      body.put("preferred_username", account.username());
      body.put("name", account.displayName());
    }
    if (scopes.contains("email")) {
      account.email().ifPresent(email -> body.put("email", email));
    }
    ArrayNode roles = body.putArray("roles");
    new TreeSet<>(account.roles()).forEach(roles::add);
    ArrayNode groups = body.putArray("groups");
    new TreeSet<>(account.groups()).forEach(groups::add);
    HttpResponses.json(res, Status.OK_200, body);
  }

  private static void challenge(ServerResponse res, Status status, String header, String error) {
    res.header(HeaderNames.WWW_AUTHENTICATE, header);
    HttpResponses.error(res, status, error, "a valid access token with the openid scope is needed");
  }
}
