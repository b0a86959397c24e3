package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration.ClientAuthMethod;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Token introspection (RFC 7662) and revocation (RFC 7009), for authenticated clients. Any
 * confidential client (a resource server) may introspect access tokens; a refresh token is
 * described only to the client it was issued to, and a client may revoke only its own tokens.
 */
public final class TokenIntrospection {
  private final ClientAuthenticator authenticator;
  private final AccessTokens accessTokens;
  private final TokenStore store;
  private final SessionStore sessions;
  private final UserDirectory users;
  private final Supplier<String> issuer;
  private final Clock clock;
  private final AuditSink audit;

  public TokenIntrospection(
      ClientAuthenticator authenticator,
      AccessTokens accessTokens,
      TokenStore store,
      SessionStore sessions,
      UserDirectory users,
      Supplier<String> issuer,
      Clock clock,
      AuditSink audit) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.accessTokens = requireNonNull(accessTokens, "accessTokens");
    this.store = requireNonNull(store, "store");
    this.sessions = requireNonNull(sessions, "sessions");
    this.users = requireNonNull(users, "users");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
    this.audit = requireNonNull(audit, "audit");
  }

  /** {@code POST /introspect} (RFC 7662 §2). */
  public void introspect(ServerRequest req, ServerResponse res) {
    try {
      FormBody form = FormBody.read(req);
      ClientAuthenticator.Authenticated caller =
          authenticator.authenticate(req, form, "/introspect");
      if (caller.method() == ClientAuthMethod.NONE) {
        // RFC 7662 §2.1: the endpoint must not be a token-scanning oracle for anyone.
        throw OAuthError.invalidClient("a public client may not introspect tokens", false);
      }
      String token =
          form.first("token").orElseThrow(() -> OAuthError.invalidRequest("token is missing"));
      boolean refreshFirst = form.first("token_type_hint").equals(Optional.of("refresh_token"));
      Optional<ObjectNode> described =
          refreshFirst
              ? refresh(token, caller).or(() -> access(token))
              : access(token).or(() -> refresh(token, caller));
      ObjectNode body = described.orElseGet(() -> Json.object().put("active", false));
      audit.emit(
          event(req, "token.introspect", AuditEvent.Outcome.SUCCESS)
              .clientId(caller.client().clientId())
              .subject(caller.client().clientId())
              .attribute("active", String.valueOf(described.isPresent()))
              .attribute("jti", body.path("jti").asString("-"))
              .build());
      HttpResponses.json(res, Status.OK_200, body);
    } catch (OAuthError e) {
      fail(req, res, "token.introspect", e);
    }
  }

  /** {@code POST /revoke} (RFC 7009 §2). */
  public void revoke(ServerRequest req, ServerResponse res) {
    try {
      FormBody form = FormBody.read(req);
      ClientAuthenticator.Authenticated caller = authenticator.authenticate(req, form, "/revoke");
      String clientId = caller.client().clientId();
      String token =
          form.first("token").orElseThrow(() -> OAuthError.invalidRequest("token is missing"));
      // The hint only orders the look-ups (RFC 7009 §2.1); both kinds are tried.
      boolean refreshFirst = form.first("token_type_hint").equals(Optional.of("refresh_token"));
      String outcome =
          refreshFirst
              ? revokeRefresh(token, clientId).or(() -> revokeAccess(token, clientId)).orElse("-")
              : revokeAccess(token, clientId).or(() -> revokeRefresh(token, clientId)).orElse("-");
      audit.emit(
          event(req, "token.revoke", AuditEvent.Outcome.SUCCESS)
              .clientId(clientId)
              .subject(clientId)
              .attribute("revoked", outcome)
              .build());
      // RFC 7009 §2.2: 200 whether or not there was anything (of this client's) to revoke.
      res.status(Status.OK_200);
      res.header(HeaderNames.CACHE_CONTROL, "no-store");
      res.send();
    } catch (OAuthError e) {
      fail(req, res, "token.revoke", e);
    }
  }

  private Optional<String> revokeAccess(String token, String clientId) {
    return accessTokens
        .find(token)
        .map(
            record -> {
              if (!record.clientId().equals(clientId)) {
                return "ignored: another client's access token";
              }
              accessTokens.revoke(record);
              return "access_token " + record.jti();
            });
  }

  private Optional<String> revokeRefresh(String token, String clientId) {
    return store
        .refreshToken(token)
        .map(
            record -> {
              if (!record.grant().clientId().equals(clientId)) {
                return "ignored: another client's refresh token";
              }
              store.revokeFamily(record.grant().familyId());
              return "refresh_family " + record.grant().familyId();
            });
  }

  private Optional<ObjectNode> access(String token) {
    return accessTokens.resolve(token).map(active -> describe(active.claims()));
  }

  // RFC 7662 §2.2.
  private ObjectNode describe(JWTClaimsSet claims) {
    ObjectNode body = Json.object().put("active", true);
    putString(body, "scope", claims.getClaim("scope"));
    putString(body, "client_id", claims.getClaim("client_id"));
    users.byId(claims.getSubject()).ifPresent(user -> body.put("username", user.username()));
    body.put("token_type", "Bearer");
    body.put("exp", claims.getExpirationTime().toInstant().getEpochSecond());
    body.put("iat", claims.getIssueTime().toInstant().getEpochSecond());
    if (claims.getNotBeforeTime() != null) {
      body.put("nbf", claims.getNotBeforeTime().toInstant().getEpochSecond());
    }
    body.put("sub", claims.getSubject());
    ArrayNode aud = body.putArray("aud");
    claims.getAudience().forEach(aud::add);
    body.put("iss", claims.getIssuer());
    body.put("jti", claims.getJWTID());
    for (String name : List.of("cnf", "act", "roles", "groups", "acr", "amr", "auth_time", "sid")) {
      Object value = claims.getClaim(name);
      if (value != null) {
        body.set(name, Json.MAPPER.valueToTree(value));
      }
    }
    return body;
  }

  private Optional<ObjectNode> refresh(String token, ClientAuthenticator.Authenticated caller) {
    Instant now = clock.instant();
    return store
        .refreshToken(token)
        .filter(r -> r.grant().clientId().equals(caller.client().clientId()))
        .filter(r -> r.isActive(now))
        .filter(r -> sessions.byId(r.grant().sessionId()).filter(s -> s.isActive(now)).isPresent())
        .flatMap(
            r ->
                users
                    .byId(r.grant().userId())
                    .filter(UserAccount::enabled)
                    .map(
                        user -> {
                          ObjectNode body = Json.object().put("active", true);
                          body.put("scope", String.join(" ", r.grant().scopes()));
                          body.put("client_id", r.grant().clientId());
                          body.put("username", user.username());
                          body.put("exp", r.grant().familyExpiresAt().getEpochSecond());
                          body.put("iat", r.issuedAt().getEpochSecond());
                          body.put("sub", user.userId());
                          body.put("iss", issuer.get());
                          return body;
                        }));
  }

  private static void putString(ObjectNode body, String name, Object value) {
    if (value instanceof String text) {
      body.put(name, text);
    }
  }

  private void fail(ServerRequest req, ServerResponse res, String action, OAuthError e) {
    if (!e.error().equals("invalid_client")) {
      audit.emit(
          event(req, action, AuditEvent.Outcome.FAILURE)
              .reason(e.error() + ": " + e.getMessage())
              .build());
    }
    if (e.basicChallenge()) {
      res.header(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"bulwark\"");
    }
    HttpResponses.error(res, e.status(), e.error(), e.getMessage());
  }

  private AuditEvent.Builder event(ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return RequestAudit.event(clock, req, action, outcome);
  }
}
