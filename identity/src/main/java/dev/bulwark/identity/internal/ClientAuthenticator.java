package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientRegistration.ClientAuthMethod;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3, OIDC
 * Core §9, RFC 7523 §2.2, RFC 8705 §2). A client must use exactly the method it registered; a
 * request that carries two methods is malformed.
 */
public final class ClientAuthenticator {
  /** RFC 7523 §2.2. */
  static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  private static final Logger LOG = LoggerFactory.getLogger(ClientAuthenticator.class);
  // Asymmetric algorithms only: never "none", never HMAC (whose key would be a shared secret).
  private static final Set<JWSAlgorithm> ASSERTION_ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA);
  private static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(5);
  private static final Duration SKEW = Duration.ofSeconds(30);

  private final ClientStore clients;
  private final TokenStore tokens;
  private final Supplier<String> issuer;
  private final Clock clock;
  private final AuditSink audit;

  public ClientAuthenticator(
      ClientStore clients,
      TokenStore tokens,
      Supplier<String> issuer,
      Clock clock,
      AuditSink audit) {
    this.clients = requireNonNull(clients, "clients");
    this.tokens = requireNonNull(tokens, "tokens");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
    this.audit = requireNonNull(audit, "audit");
  }

  /**
   * An authenticated client.
   *
   * @param client its registration
   * @param method the method it authenticated with (its registered one)
   * @param certificate the TLS client certificate it presented, if any
   */
  public record Authenticated(
      ClientRegistration client, ClientAuthMethod method, Optional<X509Certificate> certificate) {
    public Authenticated {
      requireNonNull(client, "client");
      requireNonNull(method, "method");
      requireNonNull(certificate, "certificate");
    }
  }

  /**
   * Authenticates the client of {@code req} at the endpoint whose path is {@code endpointPath}.
   *
   * @throws OAuthError {@code invalid_request} for two methods at once, {@code invalid_client}
   *     (401) for any failure
   */
  Authenticated authenticate(ServerRequest req, FormBody form, String endpointPath) {
    Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
    Optional<String> postedSecret = form.first("client_secret");
    Optional<String> assertionType = form.first("client_assertion_type");
    Optional<String> assertion = form.first("client_assertion");
    Optional<String> postedId = form.first("client_id");
    List<ClientAuthMethod> presented = new ArrayList<>();
    authorization.ifPresent(a -> presented.add(ClientAuthMethod.CLIENT_SECRET_BASIC));
    postedSecret.ifPresent(s -> presented.add(ClientAuthMethod.CLIENT_SECRET_POST));
    if (assertionType.isPresent() || assertion.isPresent()) {
      presented.add(ClientAuthMethod.PRIVATE_KEY_JWT);
    }
    if (presented.size() > 1) {
      throw OAuthError.invalidRequest("use one client authentication method, not two");
    }
    Optional<X509Certificate> certificate = peerCertificate(req);
    if (presented.isEmpty()) {
      // Neither a secret nor an assertion: a public client, or one whose proof is its TLS
      // certificate; both name themselves with client_id (RFC 8705 §2).
      String clientId =
          postedId.orElseThrow(
              () -> OAuthError.invalidClient("client authentication is required", false));
      return byIdentifierOnly(req, clientId, certificate);
    }
    ClientAuthMethod method = presented.get(0);
    ClientRegistration client =
        switch (method) {
          case CLIENT_SECRET_BASIC -> basic(req, authorization.orElseThrow(), postedId);
          case CLIENT_SECRET_POST ->
              secret(
                  req,
                  postedId.orElseThrow(
                      () -> OAuthError.invalidClient("client_id is missing", false)),
                  postedSecret.orElseThrow(),
                  false);
          default -> privateKeyJwt(req, assertionType, assertion, postedId, endpointPath);
        };
    if (client.authMethod() != method) {
      throw failed(
          req,
          client.clientId(),
          "used " + method.protocolName() + ", registered " + client.authMethod().protocolName(),
          method == ClientAuthMethod.CLIENT_SECRET_BASIC);
    }
    return new Authenticated(client, method, certificate);
  }

  private Authenticated byIdentifierOnly(
      ServerRequest req, String clientId, Optional<X509Certificate> certificate) {
    ClientRegistration client =
        clients
            .registration(clientId)
            .orElseThrow(() -> failed(req, clientId, "unknown client", false));
    switch (client.authMethod()) {
      case NONE -> {
        return new Authenticated(client, ClientAuthMethod.NONE, certificate);
      }
      case TLS_CLIENT_AUTH -> {
        // RFC 8705 §2.1.2: the certificate (already verified against our trust anchors in the
        // handshake) must carry the registered subject DN, compared as distinguished names.
        X509Certificate presented =
            certificate.orElseThrow(
                () -> failed(req, clientId, "no TLS client certificate", false));
        X500Principal registered;
        try {
          registered = new X500Principal(client.tlsSubjectDn().orElseThrow());
        } catch (IllegalArgumentException e) {
          throw failed(req, clientId, "registered subject DN is malformed", false);
        }
        if (!registered.equals(presented.getSubjectX500Principal())) {
          throw failed(req, clientId, "TLS client certificate subject does not match", false);
        }
        return new Authenticated(client, ClientAuthMethod.TLS_CLIENT_AUTH, certificate);
      }
      default ->
          throw failed(
              req,
              clientId,
              "no credentials; registered " + client.authMethod().protocolName(),
              false);
    }
  }

  private ClientRegistration basic(ServerRequest req, String header, Optional<String> postedId) {
    String[] credentials = basicCredentials(header);
    if (postedId.isPresent() && !postedId.get().equals(credentials[0])) {
      throw OAuthError.invalidRequest("client_id does not match the authenticated client");
    }
    return secret(req, credentials[0], credentials[1], true);
  }

  private ClientRegistration secret(
      ServerRequest req, String clientId, String secret, boolean basic) {
    return clients
        .authenticate(clientId, secret)
        .orElseThrow(() -> failed(req, clientId, "wrong client id or secret", basic));
  }

  // RFC 7523 §3 and OIDC Core §9: iss = sub = client_id, aud names us, exp soon, jti single use.
  private ClientRegistration privateKeyJwt(
      ServerRequest req,
      Optional<String> assertionType,
      Optional<String> assertion,
      Optional<String> postedId,
      String endpointPath) {
    if (!assertionType.equals(Optional.of(JWT_BEARER)) || assertion.isEmpty()) {
      throw OAuthError.invalidClient(
          "client_assertion_type must be " + JWT_BEARER + " with a client_assertion", false);
    }
    SignedJWT jwt;
    String claimedId;
    try {
      if (!(JWTParser.parse(assertion.get()) instanceof SignedJWT signed)) {
        throw failed(req, postedId.orElse("-"), "client assertion is not signed", false);
      }
      jwt = signed;
      claimedId = jwt.getJWTClaimsSet().getSubject();
    } catch (ParseException e) {
      throw failed(req, postedId.orElse("-"), "client assertion is not a JWT", false);
    }
    if (claimedId == null || (postedId.isPresent() && !postedId.get().equals(claimedId))) {
      throw failed(req, postedId.orElse("-"), "client assertion sub is not the client_id", false);
    }
    ClientRegistration client =
        clients
            .registration(claimedId)
            .filter(c -> c.authMethod() == ClientAuthMethod.PRIVATE_KEY_JWT)
            .orElseThrow(() -> failed(req, claimedId, "not a private_key_jwt client", false));
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ASSERTION_ALGORITHMS.contains(alg)) {
      throw failed(req, claimedId, "client assertion alg " + alg + " is not accepted", false);
    }
    JWTClaimsSet claims;
    try {
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      // The assertion's typ is not standardized (plain JWT or absent); accept either.
      processor.setJWSTypeVerifier((type, context) -> {});
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(
              ASSERTION_ALGORITHMS,
              new ImmutableJWKSet<>(JWKSet.parse(client.jwks().orElseThrow()))));
      processor.setJWTClaimsSetVerifier((c, context) -> {});
      claims = processor.process(jwt, null);
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw failed(req, claimedId, "client assertion signature does not verify", false);
    }
    Instant now = clock.instant();
    String iss = issuer.get();
    Set<String> audiences = new HashSet<>(List.of(iss, iss + "/token", iss + endpointPath));
    if (!claimedId.equals(claims.getIssuer())) {
      throw failed(req, claimedId, "client assertion iss is not the client_id", false);
    }
    if (claims.getAudience().stream().noneMatch(audiences::contains)) {
      throw failed(req, claimedId, "client assertion aud does not name this server", false);
    }
    if (claims.getExpirationTime() == null) {
      throw failed(req, claimedId, "client assertion has no exp", false);
    }
    Instant exp = claims.getExpirationTime().toInstant();
    if (!now.minus(SKEW).isBefore(exp)) {
      throw failed(req, claimedId, "client assertion has expired", false);
    }
    if (exp.isAfter(now.plus(MAX_ASSERTION_LIFETIME).plus(SKEW))) {
      throw failed(req, claimedId, "client assertion lives longer than 5 minutes", false);
    }
    if (claims.getNotBeforeTime() != null
        && claims.getNotBeforeTime().toInstant().isAfter(now.plus(SKEW))) {
      throw failed(req, claimedId, "client assertion is not yet valid", false);
    }
    String jti = claims.getJWTID();
    if (jti == null || jti.isBlank() || jti.length() > 200) {
      throw failed(req, claimedId, "client assertion has no usable jti", false);
    }
    if (!tokens.firstUseOfAssertion(claimedId, jti, exp.plus(SKEW))) {
      throw failed(req, claimedId, "client assertion jti was already used (replay)", false);
    }
    return client;
  }

  private static Optional<X509Certificate> peerCertificate(ServerRequest req) {
    Optional<Certificate[]> chain = req.remotePeer().tlsCertificates();
    if (chain.isEmpty()
        || chain.get().length == 0
        || !(chain.get()[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    return Optional.of(leaf);
  }

  private OAuthError failed(ServerRequest req, String clientId, String reason, boolean basic) {
    String printable = FormBody.printable(clientId);
    LOG.info("client authentication failed for client_id={}: {}", printable, reason);
    // A client's login: the alert rules count these per client and per source address to spot
    // guessing (docs/audit-events.md).
    audit.emit(
        RequestAudit.event(clock, req, "client.login", AuditEvent.Outcome.FAILURE)
            .subject(printable)
            .clientId(printable)
            .reason(reason)
            .build());
    return OAuthError.invalidClient("client authentication failed", basic);
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
}
