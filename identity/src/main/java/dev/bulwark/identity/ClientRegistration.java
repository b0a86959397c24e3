package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registered OAuth client.
 *
 * @param clientId the client's id
 * @param displayName a human name, shown on the login page
 * @param scopes the scopes it may be granted
 * @param audiences the resource servers (RFC 8707 resource indicators) it may obtain tokens for
 * @param grantTypes the grants it may use ({@link #AUTHORIZATION_CODE}, {@link
 *     #CLIENT_CREDENTIALS}, {@link #REFRESH_TOKEN}, {@link #TOKEN_EXCHANGE})
 * @param redirectUris where authorization responses may be sent, compared exactly (OAuth 2.1
 *     §4.1.1)
 * @param postLogoutRedirectUris where RP-initiated logout may send the browser afterwards
 * @param authMethod how the client authenticates at the token endpoint
 * @param tokenFormat whether its access tokens are JWTs (RFC 9068) or opaque
 * @param signingAlgorithm the JWS algorithm of its access and ID tokens: ES256, RS256 or EdDSA
 * @param jwks the public keys it signs {@code private_key_jwt} assertions with (a JWK Set, JSON)
 * @param tlsSubjectDn the subject DN of its certificate, for {@code tls_client_auth} (RFC 8705)
 * @param exchangeAudiences the audiences it may exchange a caller's token for (RFC 8693); empty
 *     means it may not exchange at all
 * @param roles roles carried in the tokens it obtains for itself (client credentials)
 * @param requireMfa whether a user must have used a second factor to sign in to it
 */
public record ClientRegistration(
    String clientId,
    String displayName,
    Set<String> scopes,
    Set<String> audiences,
    Set<String> grantTypes,
    List<URI> redirectUris,
    List<URI> postLogoutRedirectUris,
    ClientAuthMethod authMethod,
    TokenFormat tokenFormat,
    String signingAlgorithm,
    Optional<String> jwks,
    Optional<String> tlsSubjectDn,
    Set<String> exchangeAudiences,
    Set<String> roles,
    boolean requireMfa) {
  public static final String AUTHORIZATION_CODE = "authorization_code";
  public static final String CLIENT_CREDENTIALS = "client_credentials";
  public static final String REFRESH_TOKEN = "refresh_token";
  public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  private static final Set<String> GRANT_TYPES =
      Set.of(AUTHORIZATION_CODE, CLIENT_CREDENTIALS, REFRESH_TOKEN, TOKEN_EXCHANGE);
  private static final Set<String> ALGORITHMS = Set.of("ES256", "RS256", "EdDSA");
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{3,128}");
  // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  /** How a client proves who it is at the token endpoint (OIDC Registration §2, RFC 8705). */
  public enum ClientAuthMethod {
    CLIENT_SECRET_BASIC,
    CLIENT_SECRET_POST,
    PRIVATE_KEY_JWT,
    TLS_CLIENT_AUTH,
    /** A public client (a browser or native app): no secret, PKCE alone binds its codes. */
    NONE;

    /** The registered name, e.g. {@code client_secret_basic}. */
    public String protocolName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static ClientAuthMethod fromProtocolName(String name) {
      for (ClientAuthMethod method : values()) {
        if (method.protocolName().equals(name)) {
          return method;
        }
      }
      throw invalid("token_endpoint_auth_method: '" + name + "' is not supported");
    }

    /** Whether the client holds a shared secret. */
    public boolean usesSecret() {
      return this == CLIENT_SECRET_BASIC || this == CLIENT_SECRET_POST;
    }
  }

  /** The form of the access tokens a client receives. */
  public enum TokenFormat {
    /** RFC 9068 JWT access tokens, verifiable offline. */
    JWT,
    /** Random references, verifiable only by introspection (RFC 7662). */
    OPAQUE
  }

  public ClientRegistration {
    requireNonNull(clientId, "clientId");
    requireNonNull(displayName, "displayName");
    scopes = Set.copyOf(scopes);
    audiences = Set.copyOf(audiences);
    grantTypes = Set.copyOf(grantTypes);
    redirectUris = List.copyOf(redirectUris);
    postLogoutRedirectUris = List.copyOf(postLogoutRedirectUris);
    requireNonNull(authMethod, "authMethod");
    requireNonNull(tokenFormat, "tokenFormat");
    requireNonNull(signingAlgorithm, "signingAlgorithm");
    requireNonNull(jwks, "jwks");
    requireNonNull(tlsSubjectDn, "tlsSubjectDn");
    exchangeAudiences = Set.copyOf(exchangeAudiences);
    roles = Set.copyOf(roles);
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw invalid("clientId: '" + clientId + "' (expected: 3-128 of A-Z a-z 0-9 . _ -)");
    }
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        throw invalid(
            "scope: '" + scope + "' (expected: RFC 6749 scope-token, no spaces or quotes)");
      }
    }
    if (audiences.isEmpty()) {
      throw invalid("audiences: empty (expected: at least one resource the client may call)");
    }
    audiences.forEach(ClientRegistration::requireResourceIndicator);
    exchangeAudiences.forEach(ClientRegistration::requireResourceIndicator);
    for (String grant : grantTypes) {
      if (!GRANT_TYPES.contains(grant)) {
        throw invalid(
            "grant_types: '" + grant + "' is not supported (expected: " + GRANT_TYPES + ")");
      }
    }
    if (grantTypes.isEmpty()) {
      throw invalid("grant_types: empty (expected: at least one grant)");
    }
    if (grantTypes.contains(AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
      throw invalid(
          "redirect_uris: empty (expected: at least one for the authorization_code grant)");
    }
    redirectUris.forEach(uri -> requireRedirectUri("redirect_uris", uri));
    postLogoutRedirectUris.forEach(uri -> requireRedirectUri("post_logout_redirect_uris", uri));
    if (authMethod == ClientAuthMethod.NONE
        && (grantTypes.contains(CLIENT_CREDENTIALS) || grantTypes.contains(TOKEN_EXCHANGE))) {
      throw invalid("token_endpoint_auth_method: a public client (none) cannot use " + grantTypes);
    }
    if (authMethod == ClientAuthMethod.PRIVATE_KEY_JWT && jwks.isEmpty()) {
      throw invalid("jwks: missing (expected: the public keys for private_key_jwt)");
    }
    if (authMethod == ClientAuthMethod.TLS_CLIENT_AUTH && tlsSubjectDn.isEmpty()) {
      throw invalid("tls_client_auth_subject_dn: missing (expected: for tls_client_auth)");
    }
    if (!exchangeAudiences.isEmpty() && !grantTypes.contains(TOKEN_EXCHANGE)) {
      throw invalid("exchange_audiences: set, but grant_types does not include token exchange");
    }
    if (!ALGORITHMS.contains(signingAlgorithm)) {
      throw invalid(
          "signing_algorithm: '" + signingAlgorithm + "' (expected: one of " + ALGORITHMS + ")");
    }
    for (String role : roles) {
      if (!ROLE.matcher(role).matches()) {
        throw invalid("roles: '" + role + "' (expected: 1-100 of A-Z a-z 0-9 . _ : -)");
      }
    }
  }

  /** A confidential client for the client-credentials grant alone, with a shared secret. */
  public ClientRegistration(
      String clientId, String displayName, Set<String> scopes, Set<String> audiences) {
    this(
        clientId,
        displayName,
        scopes,
        audiences,
        Set.of(CLIENT_CREDENTIALS),
        List.of(),
        List.of(),
        ClientAuthMethod.CLIENT_SECRET_BASIC,
        TokenFormat.JWT,
        "ES256",
        Optional.empty(),
        Optional.empty(),
        Set.of(),
        Set.of(),
        false);
  }

  /** A builder starting from a client-credentials client with a secret. */
  public static Builder builder(String clientId, String displayName) {
    return new Builder(clientId, displayName);
  }

  /** A builder starting from this registration. */
  public Builder toBuilder() {
    Builder builder = new Builder(clientId, displayName);
    builder.scopes = scopes;
    builder.audiences = audiences;
    builder.grantTypes = grantTypes;
    builder.redirectUris = redirectUris;
    builder.postLogoutRedirectUris = postLogoutRedirectUris;
    builder.authMethod = authMethod;
    builder.tokenFormat = tokenFormat;
    builder.signingAlgorithm = signingAlgorithm;
    builder.jwks = jwks;
    builder.tlsSubjectDn = tlsSubjectDn;
    builder.exchangeAudiences = exchangeAudiences;
    builder.roles = roles;
    builder.requireMfa = requireMfa;
    return builder;
  }

  public boolean allowsGrant(String grantType) {
    return grantTypes.contains(grantType);
  }

  /** RFC 8707 §2: an absolute URI with no fragment. */
  static void requireResourceIndicator(String audience) {
    try {
      URI uri = new URI(audience);
      if (!uri.isAbsolute() || uri.getFragment() != null) {
        throw new URISyntaxException(audience, "not absolute or has a fragment");
      }
    } catch (URISyntaxException e) {
      throw invalid(
          "audience: '" + audience + "' (expected: an absolute URI with no fragment, RFC 8707)");
    }
  }

  // OAuth 2.1 §2.3.1 and RFC 8252 §7.3/§8.3: absolute, no fragment, https unless loopback http.
  private static void requireRedirectUri(String key, URI uri) {
    requireNonNull(uri, key);
    boolean loopback =
        "http".equals(uri.getScheme())
            && ("127.0.0.1".equals(uri.getHost())
                || "[::1]".equals(uri.getHost())
                || "localhost".equals(uri.getHost()));
    if (!uri.isAbsolute()
        || uri.getFragment() != null
        || !("https".equals(uri.getScheme()) || loopback)
        || uri.getHost() == null) {
      throw invalid(
          key
              + ": '"
              + uri
              + "' (expected: an absolute https URI, or http on a loopback address, with no"
              + " fragment)");
    }
  }

  private static IdentityException invalid(String message) {
    return new IdentityException(IdentityException.Code.CLIENT_INVALID, message);
  }

  /** Builds a {@link ClientRegistration}; every check runs in {@link #build()}. */
  public static final class Builder {
    private final String clientId;
    private final String displayName;
    private Set<String> scopes = Set.of();
    private Set<String> audiences = Set.of();
    private Set<String> grantTypes = Set.of(CLIENT_CREDENTIALS);
    private List<URI> redirectUris = List.of();
    private List<URI> postLogoutRedirectUris = List.of();
    private ClientAuthMethod authMethod = ClientAuthMethod.CLIENT_SECRET_BASIC;
    private TokenFormat tokenFormat = TokenFormat.JWT;
    private String signingAlgorithm = "ES256";
    private Optional<String> jwks = Optional.empty();
    private Optional<String> tlsSubjectDn = Optional.empty();
    private Set<String> exchangeAudiences = Set.of();
    private Set<String> roles = Set.of();
    private boolean requireMfa;

    private Builder(String clientId, String displayName) {
      this.clientId = clientId;
      this.displayName = displayName;
    }

    public Builder scopes(Set<String> scopes) {
      this.scopes = Set.copyOf(scopes);
      return this;
    }

    public Builder audiences(Set<String> audiences) {
      this.audiences = Set.copyOf(audiences);
      return this;
    }

    public Builder grantTypes(String... grantTypes) {
      this.grantTypes = new LinkedHashSet<>(List.of(grantTypes));
      return this;
    }

    public Builder redirectUris(URI... uris) {
      this.redirectUris = List.of(uris);
      return this;
    }

    public Builder postLogoutRedirectUris(URI... uris) {
      this.postLogoutRedirectUris = List.of(uris);
      return this;
    }

    public Builder authMethod(ClientAuthMethod authMethod) {
      this.authMethod = authMethod;
      return this;
    }

    public Builder tokenFormat(TokenFormat tokenFormat) {
      this.tokenFormat = tokenFormat;
      return this;
    }

    public Builder signingAlgorithm(String signingAlgorithm) {
      this.signingAlgorithm = signingAlgorithm;
      return this;
    }

    public Builder jwks(String jwks) {
      this.jwks = Optional.of(jwks);
      return this;
    }

    public Builder tlsSubjectDn(String tlsSubjectDn) {
      this.tlsSubjectDn = Optional.of(tlsSubjectDn);
      return this;
    }

    public Builder exchangeAudiences(Set<String> exchangeAudiences) {
      this.exchangeAudiences = Set.copyOf(exchangeAudiences);
      return this;
    }

    public Builder roles(Set<String> roles) {
      this.roles = Set.copyOf(roles);
      return this;
    }

    public Builder requireMfa(boolean requireMfa) {
      this.requireMfa = requireMfa;
      return this;
    }

    public ClientRegistration build() {
      return new ClientRegistration(
          clientId,
          displayName,
          scopes,
          audiences,
          grantTypes,
          redirectUris,
          postLogoutRedirectUris,
          authMethod,
          tokenFormat,
          signingAlgorithm,
          jwks,
          tlsSubjectDn,
          exchangeAudiences,
          roles,
          requireMfa);
    }
  }
}
