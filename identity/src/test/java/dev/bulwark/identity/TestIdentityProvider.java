package dev.bulwark.identity;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.internal.CodeGrant;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/** An identity provider on a loopback HTTPS port with an H2 database in a temporary directory. */
final class TestIdentityProvider implements AutoCloseable {
  static final String PAYMENTS = "urn:bulwark:payments";
  static final String PROFILES = "urn:bulwark:profiles";

  final IdentityProvider provider;
  final SSLContext clientTls;
  final HttpClient http;
  final ClientSecret shopSecret;
  final CertificateAuthority authority;

  /** The provider's clock: real time plus whatever the test advanced it by. */
  final TestClock clock = new TestClock();

  /** What the provider audited, in order. */
  final List<AuditEvent> audited = new CopyOnWriteArrayList<>();

  private final Metrics metrics = Metrics.create();

  private TestIdentityProvider(
      DatabaseSettings database,
      CertificateAuthority authority,
      MasterKey masterKey,
      boolean registerClients,
      IdentitySettings settings)
      throws IOException {
    this.authority = authority;
    ReloadableKeyManager key =
        new ReloadableKeyManager(
            authority.issueEndpointCertificate(
                "identity",
                List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofHours(1)));
    provider =
        IdentityProvider.start(
            settings,
            database,
            masterKey.sealer(),
            audited::add,
            HttpListener.builder("identity")
                // Like the platform's identity listener: client certificates asked for, not
                // required (tls_client_auth, RFC 8705).
                .tls(
                    TlsContexts.server(key, List.of(authority.certificate())),
                    TlsContexts.ClientAuth.OPTIONAL)
                .metrics(metrics),
            clock);
    clientTls = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    http = HttpClient.newBuilder().sslContext(clientTls).build();
    shopSecret =
        registerClients
            ? provider.registerClient(
                new ClientRegistration(
                    "shop",
                    "Shop",
                    Set.of("payments:read", "profiles:read"),
                    Set.of(PAYMENTS, PROFILES)))
            : new ClientSecret("unused");
  }

  static TestIdentityProvider start(Path dir, CertificateAuthority authority, MasterKey masterKey)
      throws IOException {
    return new TestIdentityProvider(
        DatabaseSettings.embedded(dir, "identity"),
        authority,
        masterKey,
        true,
        IdentitySettings.defaults());
  }

  /** A provider whose database is {@code database} (PostgreSQL, say). */
  static TestIdentityProvider start(
      DatabaseSettings database, CertificateAuthority authority, MasterKey masterKey)
      throws IOException {
    return new TestIdentityProvider(
        database, authority, masterKey, true, IdentitySettings.defaults());
  }

  /** A provider with other settings (a lower lockout threshold, say). */
  static TestIdentityProvider start(
      Path dir, CertificateAuthority authority, MasterKey masterKey, IdentitySettings settings)
      throws IOException {
    return new TestIdentityProvider(
        DatabaseSettings.embedded(dir, "identity"), authority, masterKey, true, settings);
  }

  static TestIdentityProvider restart(Path dir, CertificateAuthority authority, MasterKey masterKey)
      throws IOException {
    return new TestIdentityProvider(
        DatabaseSettings.embedded(dir, "identity"),
        authority,
        masterKey,
        false,
        IdentitySettings.defaults());
  }

  static CertificateAuthority authority() {
    return CertificateAuthority.createRoot(
        "Identity test CA", Duration.ofDays(1), Clock.systemUTC());
  }

  /** A client whose TLS connections present a certificate for {@code commonName} from our CA. */
  HttpClient httpWithCertificate(String commonName) {
    ReloadableKeyManager key =
        new ReloadableKeyManager(
            authority.issueEndpointCertificate(
                commonName, List.of(commonName), List.of(), Duration.ofHours(1)));
    return HttpClient.newBuilder()
        .sslContext(TlsContexts.client(List.of(authority.certificate()), Optional.of(key)))
        .build();
  }

  /** POSTs a form to {@code path} with {@code http}, with Basic authentication when given. */
  HttpResponse<String> post(HttpClient client, String path, String form, Optional<String> basic) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(provider.issuer() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    basic.ifPresent(b -> request.header("Authorization", b));
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> post(String path, String form, Optional<String> basic) {
    return post(http, path, form, basic);
  }

  /** Introspects {@code token} (RFC 7662) as the client {@code basic} authenticates. */
  HttpResponse<String> introspect(String token, Optional<String> basic) {
    return post("/introspect", "token=" + encode(token), basic);
  }

  /** Revokes {@code token} (RFC 7009) as the client {@code basic} authenticates. */
  HttpResponse<String> revoke(String token, Optional<String> basic) {
    return post("/revoke", "token=" + encode(token), basic);
  }

  /** GET /userinfo with {@code token} as the bearer. */
  HttpResponse<String> userinfo(String token) {
    return send(
        HttpRequest.newBuilder(URI.create(provider.issuer() + "/userinfo"))
            .header("Authorization", "Bearer " + token)
            .build());
  }

  /** A user with a live password sign-in session, made without the login pages. */
  UserSession signIn(String username) {
    UserAccount user =
        provider.createUser(
            username,
            "User " + username,
            Optional.of(username + "@example.com"),
            "correct horse battery staple");
    return provider
        .internals()
        .sessions()
        .start(
            user.userId(),
            List.of("pwd"),
            UserSession.ACR_PASSWORD,
            Duration.ofHours(1),
            "127.0.0.1")
        .session();
  }

  /** An authorization code for {@code clientId}, as /authorize would issue it after sign-in. */
  String code(
      String clientId,
      UserSession session,
      URI redirectUri,
      String verifier,
      Set<String> scopes,
      Optional<String> nonce) {
    return provider
        .internals()
        .codes()
        .issue(
            new CodeGrant(
                clientId,
                session.userId(),
                session.sessionId(),
                redirectUri,
                s256(verifier),
                scopes,
                List.of(PAYMENTS),
                nonce,
                session.authTime(),
                session.amr(),
                session.acr()));
  }

  static final URI REDIRECT = URI.create("https://app.example/callback");
  static final String VERIFIER = "verifier-of-forty-three-or-more-characters-0123456789";

  /**
   * Registers a browser-app client for the code and refresh grants (Basic secret, JWT access
   * tokens) after {@code customize}; returns its Basic header.
   */
  String registerApp(
      String clientId, java.util.function.UnaryOperator<ClientRegistration.Builder> customize) {
    ClientRegistration registration =
        customize
            .apply(
                ClientRegistration.builder(clientId, "App " + clientId)
                    .scopes(Set.of("openid", "profile", "email", "payments:read"))
                    .audiences(Set.of(PAYMENTS))
                    .grantTypes(
                        ClientRegistration.AUTHORIZATION_CODE, ClientRegistration.REFRESH_TOKEN)
                    .redirectUris(REDIRECT))
            .build();
    if (!registration.authMethod().usesSecret()) {
      provider.registerClientWithoutSecret(registration);
      return "";
    }
    return basic(clientId, provider.registerClient(registration).reveal());
  }

  /** Redeems a fresh code for {@code clientId} with the right verifier; the token response. */
  HttpResponse<String> codeGrant(
      String clientId, String basicHeader, UserSession session, Set<String> scopes) {
    String code = code(clientId, session, REDIRECT, VERIFIER, scopes, Optional.of("n-0S6"));
    return redeem(code, VERIFIER, REDIRECT, basicHeader);
  }

  /** POSTs the authorization_code grant. */
  HttpResponse<String> redeem(String code, String verifier, URI redirectUri, String basicHeader) {
    return post(
        "/token",
        "grant_type=authorization_code&code="
            + encode(code)
            + "&redirect_uri="
            + encode(redirectUri.toString())
            + (verifier.isEmpty() ? "" : "&code_verifier=" + encode(verifier)),
        basicHeader.isEmpty() ? Optional.empty() : Optional.of(basicHeader));
  }

  /** POSTs the refresh_token grant. */
  HttpResponse<String> refresh(String refreshToken, String extra, String basicHeader) {
    return post(
        "/token",
        "grant_type=refresh_token&refresh_token=" + encode(refreshToken) + extra,
        Optional.of(basicHeader));
  }

  static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(provider.issuer() + path)).build());
  }

  /** POSTs a form to /token, with Basic authentication when {@code basic} is given. */
  HttpResponse<String> token(String form, Optional<String> basic) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(provider.tokenEndpoint())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    basic.ifPresent(b -> request.header("Authorization", b));
    return send(request.build());
  }

  /** Calls the admin API: {@code method} {@code /admin/v1 + path} with an optional JSON body. */
  HttpResponse<String> admin(
      String method, String path, Optional<String> bearer, Optional<String> json) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(provider.issuer() + "/admin/v1" + path))
            .method(
                method,
                json.map(HttpRequest.BodyPublishers::ofString)
                    .orElse(HttpRequest.BodyPublishers.noBody()));
    json.ifPresent(j -> request.header("Content-Type", "application/json"));
    bearer.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return send(request.build());
  }

  /** A client-credentials access token for a client registered with {@code secret}. */
  String accessToken(String clientId, ClientSecret secret) {
    HttpResponse<String> response =
        token("grant_type=client_credentials", Optional.of(basic(clientId, secret.reveal())));
    if (response.statusCode() != 200) {
      throw new IllegalStateException("token request failed: " + response.body());
    }
    return dev.bulwark.runtime.http.Json.MAPPER
        .readTree(response.body())
        .path("access_token")
        .asString();
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String basic(String id, String secret) {
    String pair =
        URLEncoder.encode(id, StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** A clock at real time plus an offset tests advance. */
  @Override
  public void close() {
    provider.close();
    metrics.close();
  }
}
