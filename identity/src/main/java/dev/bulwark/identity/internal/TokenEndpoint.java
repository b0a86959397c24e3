package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientRegistration.ClientAuthMethod;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The token endpoint (RFC 6749 §3.2): the authorization-code grant with PKCE (OAuth 2.1 §4.1.3),
 * refresh with rotation (OAuth 2.1 §4.3), client credentials (RFC 6749 §4.4) and token exchange
 * (RFC 8693); RFC 9068 JWT or opaque access tokens, certificate-bound for mTLS clients (RFC 8705
 * §3), and OpenID Connect ID tokens (OIDC Core §3.1.3.6).
 */
public final class TokenEndpoint {
  /** RFC 8693 §3. */
  static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
  // RFC 7636 §4.1: code-verifier = 43*128unreserved.
  private static final Pattern CODE_VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
  private static final String OPENID = "openid";

  private final ClientAuthenticator authenticator;
  private final AccessTokens accessTokens;
  private final TokenStore store;
  private final AuthorizationCodeStore codes;
  private final SessionStore sessions;
  private final UserDirectory users;
  private final SigningKeyRing keys;
  private final Supplier<String> issuer;
  private final IdentitySettings settings;
  private final Clock clock;
  private final AuditSink audit;

  /** What the token endpoint reads and writes. */
  public record Stores(
      ClientAuthenticator authenticator,
      AccessTokens accessTokens,
      TokenStore tokens,
      AuthorizationCodeStore codes,
      SessionStore sessions,
      UserDirectory users) {
    public Stores {
      requireNonNull(authenticator, "authenticator");
      requireNonNull(accessTokens, "accessTokens");
      requireNonNull(tokens, "tokens");
      requireNonNull(codes, "codes");
      requireNonNull(sessions, "sessions");
      requireNonNull(users, "users");
    }
  }

  public TokenEndpoint(
      Stores stores,
      SigningKeyRing keys,
      Supplier<String> issuer,
      IdentitySettings settings,
      Clock clock,
      AuditSink audit) {
    this.authenticator = stores.authenticator();
    this.accessTokens = stores.accessTokens();
    this.store = stores.tokens();
    this.codes = stores.codes();
    this.sessions = stores.sessions();
    this.users = stores.users();
    this.keys = requireNonNull(keys, "keys");
    this.issuer = requireNonNull(issuer, "issuer");
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
    this.audit = requireNonNull(audit, "audit");
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
    } catch (IdentityException e) {
      // A client registered for an algorithm the key ring has no key for: a configuration
      // problem, not the client's; say so rather than fail with an opaque 500.
      if (e.code() != IdentityException.Code.SIGNING_KEY_UNAVAILABLE) {
        throw e;
      }
      LOG.error("cannot sign a token: {}", e.getMessage());
      audit.emit(
          event(req, "token.issue", AuditEvent.Outcome.FAILURE)
              .reason("server_error: " + e.getMessage())
              .build());
      HttpResponses.error(
          res,
          Status.INTERNAL_SERVER_ERROR_500,
          "server_error",
          "no signing key for this client's algorithm");
    }
  }

  private ObjectNode respond(ServerRequest req) {
    FormBody form = FormBody.read(req);
    ClientAuthenticator.Authenticated caller = authenticator.authenticate(req, form, "/token");
    ClientRegistration client = caller.client();
    String grantType =
        form.first("grant_type")
            .orElseThrow(() -> OAuthError.invalidRequest("grant_type is missing"));
    if (!Set.of(
            ClientRegistration.AUTHORIZATION_CODE,
            ClientRegistration.REFRESH_TOKEN,
            ClientRegistration.CLIENT_CREDENTIALS,
            ClientRegistration.TOKEN_EXCHANGE)
        .contains(grantType)) {
      throw OAuthError.unsupportedGrantType(
          "grant_type '" + FormBody.printable(grantType) + "' is not supported here");
    }
    if (!client.allowsGrant(grantType)) {
      throw OAuthError.unauthorizedClient("this client may not use " + grantType);
    }
    // A public client proves nothing about itself; PKCE binds its codes and rotation its refresh
    // tokens, so it may use only those two grants (OAuth 2.1 §2.1).
    if (caller.method() == ClientAuthMethod.NONE
        && !grantType.equals(ClientRegistration.AUTHORIZATION_CODE)
        && !grantType.equals(ClientRegistration.REFRESH_TOKEN)) {
      throw OAuthError.unauthorizedClient("a public client may not use " + grantType);
    }
    return switch (grantType) {
      case ClientRegistration.AUTHORIZATION_CODE -> authorizationCode(req, caller, form);
      case ClientRegistration.REFRESH_TOKEN -> refresh(req, caller, form);
      case ClientRegistration.TOKEN_EXCHANGE -> exchange(req, caller, form);
      default -> clientCredentials(req, caller, form);
    };
  }

  // RFC 6749 §4.4, RFC 9068 §2.2: sub is the client itself; its roles ride along.
  private ObjectNode clientCredentials(
      ServerRequest req, ClientAuthenticator.Authenticated caller, FormBody form) {
    ClientRegistration client = caller.client();
    Set<String> scopes = grantedScopes(client.scopes(), form.first("scope"));
    List<String> audiences =
        ResourceIndicators.narrow(client, form.all("resource"), OAuthError::invalidTarget);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder().subject(client.clientId()).audience(audiences);
    scopeClaim(claims, scopes);
    if (!client.roles().isEmpty()) {
      claims.claim("roles", List.copyOf(new TreeSet<>(client.roles())));
    }
    bind(claims, caller);
    AccessTokens.Issued issued =
        accessTokens.issueUnrecorded(client, claims, settings.accessTokenTtl());
    logIssued(issued, client, audiences, scopes);
    audit.emit(
        issuedEvent(req, "token.issue", client, ClientRegistration.CLIENT_CREDENTIALS, issued)
            .subject(client.clientId())
            .resource(String.join(" ", audiences))
            .build());
    return tokenResponse(issued, scopes);
  }

  // OAuth 2.1 §4.1.3 and RFC 7636 §4.6.
  private ObjectNode authorizationCode(
      ServerRequest req, ClientAuthenticator.Authenticated caller, FormBody form) {
    ClientRegistration client = caller.client();
    String code =
        form.first("code").orElseThrow(() -> OAuthError.invalidRequest("code is missing"));
    String redirectUri =
        form.first("redirect_uri")
            .orElseThrow(() -> OAuthError.invalidRequest("redirect_uri is missing"));
    Optional<String> verifier = form.first("code_verifier");
    AuthorizationCodeStore.Redemption redemption = codes.redeem(code, client.clientId());
    CodeGrant grant;
    String codeHash;
    switch (redemption) {
      case AuthorizationCodeStore.Redemption.Invalid invalid ->
          throw OAuthError.invalidGrant("the code is invalid, expired or not yours");
      case AuthorizationCodeStore.Redemption.Replayed replayed -> {
        // The code leaked or was intercepted: whatever its first redemption got is suspect.
        int revoked = store.revokeFromCode(replayed.codeHash());
        audit.emit(
            event(req, "code.replay", AuditEvent.Outcome.FAILURE)
                .subject(replayed.grant().userId())
                .clientId(client.clientId())
                .reason("authorization code presented again; revoked " + revoked + " tokens")
                .attribute("code_client_id", replayed.grant().clientId())
                .build());
        throw OAuthError.invalidGrant("the code is invalid, expired or not yours");
      }
      case AuthorizationCodeStore.Redemption.Redeemed redeemed -> {
        grant = redeemed.grant();
        codeHash = redeemed.codeHash();
      }
    }
    if (!grant.redirectUri().toString().equals(redirectUri)) {
      throw OAuthError.invalidGrant("redirect_uri differs from the authorization request's");
    }
    if (verifier.isEmpty()) {
      throw OAuthError.invalidGrant("code_verifier is missing (PKCE is required)");
    }
    if (!CODE_VERIFIER.matcher(verifier.get()).matches()) {
      throw OAuthError.invalidGrant("code_verifier must be 43-128 unreserved characters");
    }
    if (!MessageDigest.isEqual(
        s256(verifier.get()).getBytes(StandardCharsets.US_ASCII),
        grant.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
      throw OAuthError.invalidGrant("code_verifier does not match the code_challenge");
    }
    Instant now = clock.instant();
    UserSession session =
        sessions
            .byId(grant.sessionId())
            .filter(s -> s.isActive(now))
            .orElseThrow(() -> OAuthError.invalidGrant("the sign-in session has ended"));
    UserAccount user = activeUser(grant.userId());
    List<String> audiences =
        grant.audiences().isEmpty()
            ? List.copyOf(new TreeSet<>(client.audiences()))
            : grant.audiences();
    Optional<String> familyId =
        client.allowsGrant(ClientRegistration.REFRESH_TOKEN)
            ? Optional.of(TokenStore.RefreshGrant.newFamilyId())
            : Optional.empty();
    AccessTokens.Issued issued =
        accessTokens.issue(
            client,
            userClaims(
                user,
                audiences,
                grant.scopes(),
                grant.authTime(),
                grant.amr(),
                grant.acr(),
                grant.sessionId(),
                caller),
            settings.accessTokenTtl(),
            familyId,
            Optional.of(codeHash));
    ObjectNode body = tokenResponse(issued, grant.scopes());
    if (familyId.isPresent()) {
      // The family lives refreshTokenTtl from the sign-in, however often it is rotated.
      body.put(
          "refresh_token",
          store.issueRefreshToken(
              new TokenStore.RefreshGrant(
                  familyId.get(),
                  client.clientId(),
                  user.userId(),
                  session.sessionId(),
                  Optional.of(codeHash),
                  grant.scopes(),
                  audiences,
                  grant.authTime(),
                  grant.amr(),
                  grant.acr(),
                  session.createdAt().plus(settings.refreshTokenTtl()))));
    }
    if (grant.scopes().contains(OPENID)) {
      body.put(
          "id_token",
          idToken(
              client,
              user,
              grant.nonce(),
              grant.authTime(),
              grant.amr(),
              grant.acr(),
              grant.sessionId(),
              issued.value()));
    }
    logIssued(issued, client, audiences, grant.scopes());
    audit.emit(
        issuedEvent(req, "token.issue", client, ClientRegistration.AUTHORIZATION_CODE, issued)
            .subject(user.userId())
            .resource(String.join(" ", audiences))
            .attribute("sid", grant.sessionId())
            .attribute("refresh_family", familyId.orElse("-"))
            .build());
    return body;
  }

  // OAuth 2.1 §4.3 and §6.1: every use rotates; a used token presented again revokes the family.
  private ObjectNode refresh(
      ServerRequest req, ClientAuthenticator.Authenticated caller, FormBody form) {
    ClientRegistration client = caller.client();
    String token =
        form.first("refresh_token")
            .orElseThrow(() -> OAuthError.invalidRequest("refresh_token is missing"));
    TokenStore.RefreshRecord presented =
        store
            .refreshToken(token)
            .orElseThrow(() -> OAuthError.invalidGrant("the refresh token is invalid"));
    TokenStore.RefreshGrant grant = presented.grant();
    if (!grant.clientId().equals(client.clientId())) {
      throw OAuthError.invalidGrant("the refresh token is invalid");
    }
    if (presented.usedAt().isPresent() && presented.revokedAt().isEmpty()) {
      throw reuse(req, client, grant);
    }
    Instant now = clock.instant();
    if (!presented.isActive(now)) {
      throw OAuthError.invalidGrant("the refresh token is revoked or expired");
    }
    boolean sessionActive =
        sessions.byId(grant.sessionId()).filter(s -> s.isActive(now)).isPresent();
    Optional<UserAccount> user = users.byId(grant.userId()).filter(UserAccount::enabled);
    if (!sessionActive || user.isEmpty()) {
      store.revokeFamily(grant.familyId());
      throw OAuthError.invalidGrant("the sign-in session has ended or the user is disabled");
    }
    Set<String> scopes = grantedScopes(grant.scopes(), form.first("scope"));
    Optional<String> next = store.rotate(presented);
    if (next.isEmpty()) {
      // Another request used it between our read and our update.
      throw reuse(req, client, grant);
    }
    AccessTokens.Issued issued =
        accessTokens.issue(
            client,
            userClaims(
                user.get(),
                grant.audiences(),
                scopes,
                grant.authTime(),
                grant.amr(),
                grant.acr(),
                grant.sessionId(),
                caller),
            settings.accessTokenTtl(),
            Optional.of(grant.familyId()),
            grant.codeHash());
    ObjectNode body = tokenResponse(issued, scopes);
    body.put("refresh_token", next.get());
    if (scopes.contains(OPENID)) {
      // OIDC Core §12.2: no nonce in an ID token from a refresh.
      body.put(
          "id_token",
          idToken(
              client,
              user.get(),
              Optional.empty(),
              grant.authTime(),
              grant.amr(),
              grant.acr(),
              grant.sessionId(),
              issued.value()));
    }
    logIssued(issued, client, grant.audiences(), scopes);
    audit.emit(
        issuedEvent(req, "token.refresh", client, ClientRegistration.REFRESH_TOKEN, issued)
            .subject(grant.userId())
            .resource(String.join(" ", grant.audiences()))
            .attribute("refresh_family", grant.familyId())
            .build());
    return body;
  }

  private OAuthError reuse(
      ServerRequest req, ClientRegistration client, TokenStore.RefreshGrant grant) {
    int revoked = store.revokeFamily(grant.familyId());
    audit.emit(
        event(req, "token.refresh.reuse", AuditEvent.Outcome.FAILURE)
            .subject(grant.userId())
            .clientId(client.clientId())
            .reason("a used refresh token was presented again; revoked " + revoked + " tokens")
            .attribute("refresh_family", grant.familyId())
            .build());
    return OAuthError.invalidGrant("the refresh token is invalid");
  }

  // RFC 8693 §2: the subject keeps its identity; the exchanging client becomes the actor.
  private ObjectNode exchange(
      ServerRequest req, ClientAuthenticator.Authenticated caller, FormBody form) {
    ClientRegistration client = caller.client();
    String subjectToken =
        form.first("subject_token")
            .orElseThrow(() -> OAuthError.invalidRequest("subject_token is missing"));
    String subjectTokenType =
        form.first("subject_token_type")
            .orElseThrow(() -> OAuthError.invalidRequest("subject_token_type is missing"));
    if (!subjectTokenType.equals(ACCESS_TOKEN_TYPE)) {
      throw OAuthError.invalidRequest("subject_token_type must be " + ACCESS_TOKEN_TYPE);
    }
    if (form.first("actor_token").isPresent()) {
      throw OAuthError.invalidRequest("actor_token is not supported; the client is the actor");
    }
    Optional<String> requestedType = form.first("requested_token_type");
    if (requestedType.isPresent() && !requestedType.get().equals(ACCESS_TOKEN_TYPE)) {
      throw OAuthError.invalidRequest("requested_token_type must be " + ACCESS_TOKEN_TYPE);
    }
    if (client.exchangeAudiences().isEmpty()) {
      throw OAuthError.unauthorizedClient("this client may not exchange tokens");
    }
    List<String> targets = new ArrayList<>();
    for (String target : concat(form.all("audience"), form.all("resource"))) {
      if (!client.exchangeAudiences().contains(target)) {
        throw OAuthError.invalidTarget(
            "'" + FormBody.printable(target) + "' is not an exchange audience of this client");
      }
      if (!targets.contains(target)) {
        targets.add(target);
      }
    }
    if (targets.isEmpty()) {
      throw OAuthError.invalidTarget("name the target with audience or resource");
    }
    AccessTokens.Active subject =
        accessTokens
            .resolve(subjectToken)
            .orElseThrow(() -> OAuthError.invalidGrant("the subject_token is not active"));
    JWTClaimsSet subjectClaims = subject.claims();
    Set<String> allowed = new LinkedHashSet<>(scopes(subjectClaims));
    allowed.retainAll(client.scopes());
    Set<String> scopes = grantedScopes(allowed, form.first("scope"));
    Instant now = clock.instant();
    Duration remaining = Duration.between(now, subject.record().expiresAt());
    Duration lifetime =
        remaining.compareTo(settings.accessTokenTtl()) < 0 ? remaining : settings.accessTokenTtl();
    if (lifetime.toSeconds() < 1) {
      throw OAuthError.invalidGrant("the subject_token is about to expire");
    }
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder().subject(subjectClaims.getSubject()).audience(targets);
    scopeClaim(claims, scopes);
    for (String name : List.of("auth_time", "acr", "amr", "sid", "roles", "groups")) {
      Object value = subjectClaims.getClaim(name);
      if (value != null) {
        claims.claim(name, value);
      }
    }
    // RFC 8693 §4.1: the current actor on top, earlier ones nested inside.
    Map<String, Object> act = new LinkedHashMap<>();
    act.put("sub", client.clientId());
    Object previous = subjectClaims.getClaim("act");
    if (previous != null) {
      act.put("act", previous);
    }
    claims.claim("act", act);
    bind(claims, caller);
    AccessTokens.Issued issued =
        accessTokens.issue(
            client, claims, lifetime, subject.record().familyId(), subject.record().codeHash());
    logIssued(issued, client, targets, scopes);
    audit.emit(
        issuedEvent(req, "token.exchange", client, ClientRegistration.TOKEN_EXCHANGE, issued)
            .subject(subjectClaims.getSubject())
            .resource(String.join(" ", targets))
            .attribute("subject_jti", subject.record().jti())
            .attribute("subject_client_id", subject.record().clientId())
            .build());
    ObjectNode body = tokenResponse(issued, scopes);
    body.put("issued_token_type", ACCESS_TOKEN_TYPE);
    return body;
  }

  private UserAccount activeUser(String userId) {
    return users
        .byId(userId)
        .filter(UserAccount::enabled)
        .orElseThrow(() -> OAuthError.invalidGrant("the user is disabled or deleted"));
  }

  // RFC 9068 §2.2 and §2.2.3.1 for a user's token.
  private static JWTClaimsSet.Builder userClaims(
      UserAccount user,
      List<String> audiences,
      Set<String> scopes,
      Instant authTime,
      List<String> amr,
      String acr,
      String sessionId,
      ClientAuthenticator.Authenticated caller) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(user.userId())
            .audience(audiences)
            .claim("auth_time", authTime.getEpochSecond())
            .claim("acr", acr)
            .claim("amr", amr)
            .claim("sid", sessionId)
            .claim("roles", List.copyOf(new TreeSet<>(user.roles())))
            .claim("groups", List.copyOf(new TreeSet<>(user.groups())));
    scopeClaim(claims, scopes);
    bind(claims, caller);
    return claims;
  }

  // RFC 8705 §3.1: a token issued to a client that authenticated with its certificate is bound to
  // that certificate, so a stolen token is useless without the private key.
  private static void bind(JWTClaimsSet.Builder claims, ClientAuthenticator.Authenticated caller) {
    if (caller.method() == ClientAuthMethod.TLS_CLIENT_AUTH && caller.certificate().isPresent()) {
      claims.claim("cnf", Map.of("x5t#S256", thumbprint(caller.certificate().get())));
    }
  }

  /** {@code x5t#S256}: base64url SHA-256 of the certificate's DER (RFC 8705 §3.1). */
  static String thumbprint(X509Certificate certificate) {
    try {
      return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()))
          .toString();
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash the client certificate", e);
    }
  }

  // OIDC Core §2 and §3.1.3.6.
  private String idToken(
      ClientRegistration client,
      UserAccount user,
      Optional<String> nonce,
      Instant authTime,
      List<String> amr,
      String acr,
      String sessionId,
      String accessToken) {
    Instant now = clock.instant();
    JWSAlgorithm alg = JWSAlgorithm.parse(client.signingAlgorithm());
    // OIDC Core §3.1.3.6 with the EdDSA curve's hash (SHA-512 for Ed25519) when it applies.
    AccessTokenHash atHash =
        AccessTokenHash.compute(
            new BearerAccessToken(accessToken),
            alg,
            JWSAlgorithm.EdDSA.equals(alg) ? Curve.Ed25519 : null);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer.get())
            .subject(user.userId())
            .audience(client.clientId())
            .claim("azp", client.clientId())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(settings.idTokenTtl())))
            .claim("auth_time", authTime.getEpochSecond())
            .claim("amr", amr)
            .claim("acr", acr)
            .claim("sid", sessionId)
            .claim("at_hash", atHash.getValue());
    nonce.ifPresent(n -> claims.claim("nonce", n));
    return keys.sign(alg, JOSEObjectType.JWT, claims.build()).serialize();
  }

  private ObjectNode tokenResponse(AccessTokens.Issued issued, Set<String> scopes) {
    ObjectNode body =
        Json.object()
            .put("access_token", issued.value())
            .put("token_type", "Bearer")
            .put("expires_in", issued.lifetime().toSeconds());
    if (!scopes.isEmpty()) {
      body.put("scope", String.join(" ", scopes));
    }
    return body;
  }

  private static void scopeClaim(JWTClaimsSet.Builder claims, Set<String> scopes) {
    if (!scopes.isEmpty()) {
      claims.claim("scope", String.join(" ", scopes));
    }
  }

  static Set<String> scopes(JWTClaimsSet claims) {
    Object scope = claims.getClaim("scope");
    return scope instanceof String text && !text.isBlank()
        ? new LinkedHashSet<>(List.of(text.trim().split(" +")))
        : Set.of();
  }

  private static void logIssued(
      AccessTokens.Issued issued,
      ClientRegistration client,
      List<String> audiences,
      Set<String> scopes) {
    // DEBUG: the token.issue audit event already records every issuance; a console line per token
    // at INFO would cost the hot path of service-to-service tokens (thousands a second).
    LOG.debug(
        "issued access token jti={} client_id={} aud={} scope={}",
        issued.jti(),
        client.clientId(),
        audiences,
        String.join(" ", scopes));
  }

  private AuditEvent.Builder issuedEvent(
      ServerRequest req,
      String action,
      ClientRegistration client,
      String grantType,
      AccessTokens.Issued issued) {
    return event(req, action, AuditEvent.Outcome.SUCCESS)
        .clientId(client.clientId())
        .attribute("grant_type", grantType)
        .attribute("jti", issued.jti());
  }

  private AuditEvent.Builder event(ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return RequestAudit.event(clock, req, action, outcome);
  }

  // RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))); the verifier is ASCII by then.
  private static String s256(String verifier) {
    return Tokens.hash(verifier);
  }

  /** The requested scopes, each of which must be in {@code allowed}; all of them by default. */
  private static Set<String> grantedScopes(Set<String> allowed, Optional<String> requested) {
    if (requested.isEmpty()) {
      return allowed;
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String scope : requested.get().trim().split(" +")) {
      if (!allowed.contains(scope)) {
        throw OAuthError.invalidScope("scope '" + FormBody.printable(scope) + "' is not allowed");
      }
      scopes.add(scope);
    }
    return scopes;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
