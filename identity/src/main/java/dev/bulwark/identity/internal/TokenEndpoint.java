package dev.bulwark.identity.internal;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The token endpoint (RFC 6749 §3.2), issuing RFC 9068 JWT access tokens for the client-credentials
 * grant (RFC 6749 §4.4), with audiences narrowed by RFC 8707 resource indicators.
 */
public final class TokenEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
  private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

  private final ClientStore clients;
  private final SigningKeyRing keys;
  private final Supplier<String> issuer;
  private final Duration accessTokenTtl;
  private final Clock clock;
  private final AuditSink audit;

  public TokenEndpoint(
      ClientStore clients,
      SigningKeyRing keys,
      Supplier<String> issuer,
      Duration accessTokenTtl,
      Clock clock,
      AuditSink audit) {
    this.clients = clients;
    this.keys = keys;
    this.issuer = issuer;
    this.accessTokenTtl = accessTokenTtl;
    this.clock = clock;
    this.audit = audit;
  }

  public void handle(ServerRequest req, ServerResponse res) {
    try {
      ObjectNode body = respond(req);
      res.header(HeaderValues.create(HeaderNames.PRAGMA, "no-cache"));
      HttpResponses.json(res, Status.OK_200, body);
    } catch (OAuthError e) {
      // A failed client authentication was recorded as a failed login where it happened.
      if (!e.error().equals("invalid_client")) {
        audit.emit(
            event(req, "token.issue", AuditEvent.Outcome.FAILURE)
                .reason(e.error() + ": " + e.getMessage())
                .build());
      }
      if (e.basicChallenge()) {
        res.header(HeaderNames.WWW_AUTHENTICATE, "Basic realm=\"bulwark\"");
      }
      res.header(HeaderValues.create(HeaderNames.PRAGMA, "no-cache"));
      HttpResponses.error(res, e.status(), e.error(), e.getMessage());
    }
  }

  private ObjectNode respond(ServerRequest req) {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-www-form-urlencoded")) {
      throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded");
    }
    if (!req.content().hasEntity()) {
      throw OAuthError.invalidRequest(
          "the request has no body; send the parameters in it, not in the query");
    }
    FormBody form = FormBody.parse(req.content().as(byte[].class));
    ClientRegistration client = authenticate(req, form);
    String grantType =
        form.first("grant_type")
            .orElseThrow(() -> OAuthError.invalidRequest("grant_type is missing"));
    if (!ClientRegistration.CLIENT_CREDENTIALS.equals(grantType)) {
      throw OAuthError.unsupportedGrantType(
          "grant_type '" + FormBody.printable(grantType) + "' is not supported here");
    }
    if (!client.allowsGrant(grantType)) {
      throw OAuthError.unauthorizedClient("this client may not use " + grantType);
    }
    Set<String> scopes = grantedScopes(client, form.first("scope"));
    List<String> audiences = audiences(client, form.all("resource"));
    Issued issued = issue(client, scopes, audiences);
    audit.emit(
        event(req, "token.issue", AuditEvent.Outcome.SUCCESS)
            .subject(client.clientId())
            .clientId(client.clientId())
            .resource(String.join(" ", audiences))
            .attribute("grant_type", grantType)
            .attribute("jti", issued.jti())
            .build());
    return issued.body();
  }

  private ClientRegistration authenticate(ServerRequest req, FormBody form) {
    Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
    Optional<String> postedSecret = form.first("client_secret");
    Optional<String> postedId = form.first("client_id");
    String clientId;
    String secret;
    boolean basic = authorization.isPresent();
    if (basic) {
      if (postedSecret.isPresent()) {
        throw OAuthError.invalidRequest("use one client authentication method, not two");
      }
      String[] credentials = basicCredentials(authorization.get());
      clientId = credentials[0];
      secret = credentials[1];
      if (postedId.isPresent() && !postedId.get().equals(clientId)) {
        throw OAuthError.invalidRequest("client_id does not match the authenticated client");
      }
    } else {
      if (postedId.isEmpty() || postedSecret.isEmpty()) {
        throw OAuthError.invalidClient("client authentication is required", true);
      }
      clientId = postedId.get();
      secret = postedSecret.get();
    }
    return clients
        .authenticate(clientId, secret)
        .orElseThrow(
            () -> {
              String printable = FormBody.printable(clientId);
              LOG.info("client authentication failed for client_id={}", printable);
              // A client's login: the alert rules count these per client and per source address
              // to spot guessing (docs/audit-events.md).
              audit.emit(
                  event(req, "client.login", AuditEvent.Outcome.FAILURE)
                      .subject(printable)
                      .clientId(printable)
                      .reason("wrong client id or secret")
                      .build());
              return OAuthError.invalidClient("client authentication failed", basic);
            });
  }

  private AuditEvent.Builder event(ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return AuditEvent.builder("identity", action, outcome)
        .time(clock.instant())
        .sourceAddress(PeerAddress.of(req.remotePeer()))
        .requestId(RequestIds.current().orElse("-"));
  }

  // RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded.
  private static String[] basicCredentials(String header) {
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw OAuthError.invalidClient(
          "only Basic client authentication is accepted in Authorization", true);
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw OAuthError.invalidClient("the Basic credentials are not base64", true);
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw OAuthError.invalidClient("the Basic credentials are not id:secret", true);
    }
    try {
      return new String[] {
        URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
      };
    } catch (IllegalArgumentException e) {
      throw OAuthError.invalidClient("the Basic credentials are not form-encoded", true);
    }
  }

  private static Set<String> grantedScopes(ClientRegistration client, Optional<String> requested) {
    if (requested.isEmpty()) {
      return client.scopes();
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String scope : requested.get().trim().split(" +")) {
      if (!client.scopes().contains(scope)) {
        throw OAuthError.invalidScope(
            "scope '" + FormBody.printable(scope) + "' is not allowed for this client");
      }
      scopes.add(scope);
    }
    return scopes;
  }

  private static List<String> audiences(ClientRegistration client, List<String> resources) {
    if (resources.isEmpty()) {
      return List.copyOf(new java.util.TreeSet<>(client.audiences()));
    }
    List<String> audiences = new ArrayList<>();
    for (String resource : resources) {
      try {
        URI uri = new URI(resource);
        if (!uri.isAbsolute() || uri.getFragment() != null) {
          throw OAuthError.invalidTarget("resource must be an absolute URI without a fragment");
        }
      } catch (URISyntaxException e) {
        throw OAuthError.invalidTarget("resource must be an absolute URI without a fragment");
      }
      if (!client.audiences().contains(resource)) {
        throw OAuthError.invalidTarget(
            "resource '" + FormBody.printable(resource) + "' is not allowed for this client");
      }
      if (!audiences.contains(resource)) {
        audiences.add(resource);
      }
    }
    return audiences;
  }

  // The token response, and the token's id for the audit record.
  private record Issued(ObjectNode body, String jti) {}

  private Issued issue(ClientRegistration client, Set<String> scopes, List<String> audiences) {
    Instant now = clock.instant();
    Instant expires = now.plus(accessTokenTtl);
    String jti = UUID.randomUUID().toString();
    // RFC 9068 §2.2: for client credentials, sub identifies the client itself.
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer.get())
            .subject(client.clientId())
            .audience(audiences)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(expires))
            .jwtID(jti)
            .claim("client_id", client.clientId());
    if (!scopes.isEmpty()) {
      claims.claim("scope", String.join(" ", scopes));
    }
    if (!client.roles().isEmpty()) {
      claims.claim("roles", List.copyOf(new java.util.TreeSet<>(client.roles())));
    }
    SignedJWT jwt =
        keys.sign(JWSAlgorithm.parse(client.signingAlgorithm()), AT_JWT, claims.build());
    LOG.info(
        "issued access token jti={} client_id={} aud={} scope={}",
        jti,
        client.clientId(),
        audiences,
        String.join(" ", scopes));
    ObjectNode body =
        Json.object()
            .put("access_token", jwt.serialize())
            .put("token_type", "Bearer")
            .put("expires_in", accessTokenTtl.toSeconds());
    if (!scopes.isEmpty()) {
      body.put("scope", String.join(" ", scopes));
    }
    return new Issued(body, jti);
  }
}
