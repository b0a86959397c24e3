package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.internal.AccessTokens;
import dev.bulwark.identity.internal.AuthorizationCodeStore;
import dev.bulwark.identity.internal.ClientAuthenticator;
import dev.bulwark.identity.internal.ClientStore;
import dev.bulwark.identity.internal.Discovery;
import dev.bulwark.identity.internal.ExpiredRecordsPurge;
import dev.bulwark.identity.internal.PasswordHasher;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.identity.internal.SigningKeyRing;
import dev.bulwark.identity.internal.TokenEndpoint;
import dev.bulwark.identity.internal.TokenIntrospection;
import dev.bulwark.identity.internal.TokenStore;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.identity.internal.UserInfoEndpoint;
import dev.bulwark.identity.internal.admin.AdminApi;
import dev.bulwark.identity.internal.admin.AdminTokenVerifier;
import dev.bulwark.identity.internal.login.AccountPages;
import dev.bulwark.identity.internal.login.BrowserSignIn;
import dev.bulwark.identity.internal.login.Logout;
import dev.bulwark.identity.internal.mfa.Passkeys;
import dev.bulwark.identity.internal.mfa.RecoveryCodes;
import dev.bulwark.identity.internal.mfa.TotpCredentials;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The OAuth 2.0 / OpenID Connect provider: discovery, JWKS and the token endpoint, on its own HTTPS
 * listener, with clients and signing keys in its database.
 */
public final class IdentityProvider implements AutoCloseable {
  private final Database database;
  private final ClientStore clients;
  private final UserDirectory users;
  private final SessionStore sessions;
  private final TotpCredentials totp;
  private final RecoveryCodes recoveryCodes;
  private final Passkeys passkeys;
  private final Internals internals;
  private final HttpListener listener;
  private final String issuer;
  private final SigningKeyRing keys;
  private final Audit audit;
  private final ExpiredRecordsPurge purge;

  // What the provider keeps in its database.
  private record Stores(
      ClientStore clients,
      UserDirectory users,
      SessionStore sessions,
      AuthorizationCodeStore codes,
      TotpCredentials totp,
      RecoveryCodes recoveryCodes,
      Passkeys passkeys,
      SigningKeyRing keys) {}

  /** The stores, for tests in this package (redeeming a code, signing an ID token hint). */
  record Internals(
      UserDirectory users,
      SessionStore sessions,
      AuthorizationCodeStore codes,
      SigningKeyRing keys) {}

  // Where the provider's own actions are audited.
  private record Audit(AuditSink sink, Clock clock) {}

  private IdentityProvider(
      Database database,
      Stores stores,
      SigningKeyRing keys,
      Audit audit,
      HttpListener listener,
      String issuer,
      ExpiredRecordsPurge purge) {
    this.database = database;
    this.purge = purge;
    this.keys = keys;
    this.audit = audit;
    this.clients = stores.clients();
    this.users = stores.users();
    this.sessions = stores.sessions();
    this.totp = stores.totp();
    this.recoveryCodes = stores.recoveryCodes();
    this.passkeys = stores.passkeys();
    this.internals = new Internals(users, sessions, stores.codes(), stores.keys());
    this.listener = listener;
    this.issuer = issuer;
  }

  /**
   * Opens the database, loads (or creates) the signing keys, and starts serving on {@code
   * listener}.
   */
  public static IdentityProvider start(
      IdentitySettings settings,
      DatabaseSettings databaseSettings,
      SecretSealer sealer,
      AuditSink audit,
      HttpListener.Builder listener,
      Clock clock) {
    requireNonNull(settings, "settings");
    Database database = Database.open(databaseSettings, "identity", "classpath:db/identity");
    try {
      SigningKeyRing keys =
          SigningKeyRing.open(database, sealer, clock, settings.signingKeyRotation());
      ClientStore clients = new ClientStore(database, clock);
      UserDirectory users = new UserDirectory(database, new PasswordHasher(), clock);
      SessionStore sessions = new SessionStore(database, clock);
      AuthorizationCodeStore codes =
          new AuthorizationCodeStore(database, clock, AuthorizationCodeStore.MAX_LIFETIME);
      // The issuer is the listener's URL unless configured, and the port is known only once bound.
      AtomicReference<String> issuer = new AtomicReference<>();
      settings.issuer().ifPresent(uri -> issuer.set(withoutTrailingSlash(uri)));
      Discovery discovery = new Discovery(issuer::get, keys);
      TokenStore tokenStore = new TokenStore(database, clock);
      AccessTokens accessTokens = new AccessTokens(keys, tokenStore, issuer::get, clock);
      ClientAuthenticator clientAuthenticator =
          new ClientAuthenticator(clients, tokenStore, issuer::get, clock, audit);
      TotpCredentials totp = new TotpCredentials(database, sealer, clock);
      RecoveryCodes recoveryCodes = new RecoveryCodes(database, clock);
      Passkeys passkeys = new Passkeys(database, issuer::get, clock);
      BrowserSignIn signIn =
          new BrowserSignIn(
              new BrowserSignIn.Stores(
                  database, clients, users, sessions, codes, totp, recoveryCodes, passkeys),
              settings,
              issuer::get,
              clock,
              audit);
      AccountPages account =
          new AccountPages(signIn, users, totp, recoveryCodes, passkeys, issuer::get, audit);
      Logout logout = new Logout(signIn, clients, sessions, keys, issuer::get, audit);
      TokenEndpoint tokens =
          new TokenEndpoint(
              new TokenEndpoint.Stores(
                  clientAuthenticator, accessTokens, tokenStore, codes, sessions, users),
              keys,
              issuer::get,
              settings,
              clock,
              audit);
      TokenIntrospection introspection =
          new TokenIntrospection(
              clientAuthenticator,
              accessTokens,
              tokenStore,
              sessions,
              users,
              issuer::get,
              clock,
              audit);
      UserInfoEndpoint userInfo = new UserInfoEndpoint(accessTokens, users);
      AdminApi admin =
          new AdminApi(
              new AdminApi.Stores(
                  clients,
                  users,
                  sessions,
                  keys,
                  new AdminApi.SecondFactors() {
                    @Override
                    public MfaStatus status(String userId) {
                      return mfaStatusOf(userId, totp, recoveryCodes, passkeys);
                    }

                    @Override
                    public void reset(String userId) {
                      resetMfaOf(userId, totp, recoveryCodes, passkeys, sessions);
                    }
                  }),
              new AdminTokenVerifier(keys, issuer::get, clock),
              audit,
              clock);
      HttpListener started =
          listener
              .healthCheck("database", database.healthCheck())
              .routes(
                  r ->
                      r.addFilter(
                              (chain, req, res) -> {
                                // The port, and so the issuer, is known only once bound.
                                if (issuer.get() == null) {
                                  dev.bulwark.runtime.http.HttpResponses.error(
                                      res,
                                      io.helidon.http.Status.SERVICE_UNAVAILABLE_503,
                                      "temporarily_unavailable",
                                      "starting");
                                  return;
                                }
                                chain.proceed();
                              })
                          .get("/.well-known/openid-configuration", discovery::metadata)
                          .get("/.well-known/oauth-authorization-server", discovery::metadata)
                          .get("/jwks", discovery::jwks)
                          .register("/admin/v1", admin)
                          .post("/token", tokens::handle)
                          .post("/introspect", introspection::introspect)
                          .any("/introspect", HttpResponses.methodNotAllowed("POST"))
                          .post("/revoke", introspection::revoke)
                          .any("/revoke", HttpResponses.methodNotAllowed("POST"))
                          .get("/userinfo", userInfo::handle)
                          .post("/userinfo", userInfo::handle)
                          .any("/userinfo", HttpResponses.methodNotAllowed("GET, POST"))
                          .register(signIn::routes, account::routes, logout::routes)
                          .any(
                              "/token",
                              (req, res) -> {
                                res.header(io.helidon.http.HeaderNames.ALLOW, "POST");
                                dev.bulwark.runtime.http.HttpResponses.error(
                                    res,
                                    io.helidon.http.Status.METHOD_NOT_ALLOWED_405,
                                    "invalid_request",
                                    "the token endpoint takes POST (RFC 6749 §3.2)");
                              }))
              .start();
      issuer.compareAndSet(null, withoutTrailingSlash(started.url()));
      keys.start(rotation -> audit.emit(rotationEvent(rotation, "schedule", clock)));
      return new IdentityProvider(
          database,
          new Stores(clients, users, sessions, codes, totp, recoveryCodes, passkeys, keys),
          keys,
          new Audit(audit, clock),
          started,
          issuer.get(),
          ExpiredRecordsPurge.start(tokenStore, codes, ExpiredRecordsPurge.DEFAULT_PERIOD));
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** The issuer identifier ({@code iss}) of every token this provider signs. */
  public String issuer() {
    return issuer;
  }

  public URI jwksUri() {
    return URI.create(issuer + "/jwks");
  }

  public URI tokenEndpoint() {
    return URI.create(issuer + "/token");
  }

  /**
   * The JWKS at this provider's own listener, for components that reach it directly; it differs
   * from {@link #jwksUri()} when a public issuer URL is configured in front of the listener.
   */
  public URI listenerJwksUri() {
    return URI.create(listener.url() + "/jwks");
  }

  public URI url() {
    return listener.url();
  }

  public boolean hasClient(String clientId) {
    return clients.exists(clientId);
  }

  /** Registers a client; the returned secret is shown once and stored only as a hash. */
  public ClientSecret registerClient(ClientRegistration registration) {
    ClientSecret secret = ClientSecret.generate();
    clients.register(registration, secret);
    return secret;
  }

  /**
   * Registers a client with a secret the caller generated (see {@link ClientSecret#generate()}).
   */
  public void registerClient(ClientRegistration registration, ClientSecret secret) {
    clients.register(registration, secret);
  }

  /** Registers a client that holds no shared secret (public, private_key_jwt, tls_client_auth). */
  public void registerClientWithoutSecret(ClientRegistration registration) {
    clients.register(registration);
  }

  /**
   * Replaces a client's registration, keeping its secret.
   *
   * @throws IdentityException CLIENT_NOT_FOUND if it is not registered
   */
  public void updateClient(ClientRegistration registration) {
    clients.update(registration);
  }

  /** The registration of {@code clientId}, if registered. */
  public java.util.Optional<ClientRegistration> client(String clientId) {
    return clients.registration(clientId);
  }

  /**
   * Creates a user; the password must pass the password policy and is stored only as its Argon2id
   * hash.
   */
  public UserAccount createUser(
      String username, String displayName, java.util.Optional<String> email, String password) {
    return users.create(username, displayName, email, password);
  }

  /** The user {@code username}, if one exists. */
  public java.util.Optional<UserAccount> user(String username) {
    return users.byUsername(username);
  }

  /** Grants {@code role} to a user directly; it appears in their tokens' {@code roles} claim. */
  public void grantRole(String userId, String role) {
    users.grantRole(userId, role);
  }

  /**
   * Rotates the signing keys of every algorithm now: each ring's next key signs from now on, the
   * current one stays published as the previous key until the following rotation (audited {@code
   * keys.rotate}).
   */
  public void rotateSigningKeys() {
    for (SigningKeyRing.Rotation rotation : keys.rotateNow()) {
      audit.sink().emit(rotationEvent(rotation, "api", audit.clock()));
    }
  }

  private static dev.bulwark.audit.AuditEvent rotationEvent(
      SigningKeyRing.Rotation rotation, String actor, Clock clock) {
    return dev.bulwark.audit.AuditEvent.builder(
            "identity", "keys.rotate", dev.bulwark.audit.AuditEvent.Outcome.SUCCESS)
        .time(clock.instant())
        .subject(actor)
        .attribute("algorithm", rotation.algorithm().getName())
        .attribute("previous_kid", rotation.previousKid())
        .attribute("current_kid", rotation.currentKid())
        .attribute("next_kid", rotation.nextKid())
        .build();
  }

  /** The authorization endpoint (OAuth 2.1 §3.1), where browsers sign in. */
  public URI authorizationEndpoint() {
    return URI.create(issuer + "/authorize");
  }

  /** The RP-initiated logout endpoint (OIDC RP-Initiated Logout 1.0 §2). */
  public URI endSessionEndpoint() {
    return URI.create(issuer + "/logout");
  }

  /** Which second factors {@code userId} has, if the user exists. */
  public java.util.Optional<MfaStatus> mfaStatus(String userId) {
    if (users.byId(userId).isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(mfaStatusOf(userId, totp, recoveryCodes, passkeys));
  }

  // One implementation for this API and the admin API's.
  private static MfaStatus mfaStatusOf(
      String userId, TotpCredentials totp, RecoveryCodes recoveryCodes, Passkeys passkeys) {
    return new MfaStatus(
        totp.isEnrolled(userId), recoveryCodes.remaining(userId), passkeys.count(userId));
  }

  /**
   * Removes every second factor of {@code userId} (authenticator app, recovery codes, passkeys) and
   * ends their sessions, for a user who lost their device; they set up new ones after their next
   * password sign-in.
   *
   * @throws IdentityException USER_NOT_FOUND
   */
  public void resetMfa(String userId) {
    if (users.byId(userId).isEmpty()) {
      throw new IdentityException(
          IdentityException.Code.USER_NOT_FOUND, "user " + userId + " does not exist");
    }
    resetMfaOf(userId, totp, recoveryCodes, passkeys, sessions);
  }

  private static void resetMfaOf(
      String userId,
      TotpCredentials totp,
      RecoveryCodes recoveryCodes,
      Passkeys passkeys,
      SessionStore sessions) {
    totp.remove(userId);
    recoveryCodes.remove(userId);
    passkeys.removeAll(userId);
    sessions.revokeAll(userId);
  }

  Internals internals() {
    return internals;
  }

  @Override
  public void close() {
    purge.close();
    keys.close();
    listener.close();
    database.close();
  }

  private static String withoutTrailingSlash(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }
}
