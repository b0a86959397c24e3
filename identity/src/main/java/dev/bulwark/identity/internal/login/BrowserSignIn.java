package dev.bulwark.identity.internal.login;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.identity.internal.AuthorizationCodeStore;
import dev.bulwark.identity.internal.ClientStore;
import dev.bulwark.identity.internal.CodeGrant;
import dev.bulwark.identity.internal.PasswordHasher;
import dev.bulwark.identity.internal.RequestAudit;
import dev.bulwark.identity.internal.ResourceIndicators;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.identity.internal.Tokens;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.identity.internal.mfa.Passkeys;
import dev.bulwark.identity.internal.mfa.RecoveryCodes;
import dev.bulwark.identity.internal.mfa.TotpCredentials;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.storage.Database;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything a user does in a browser: the authorization endpoint (OAuth 2.1 §4.1.1, OIDC Core
 * §3.1.2), the sign-in pages (password, then TOTP or a recovery code), and the sign-in session
 * cookie. A bad {@code client_id} or {@code redirect_uri} gets an error page and never a redirect
 * (OAuth 2.1 §4.1.2.1); every other error goes back to the validated redirect URI with {@code
 * state} and {@code iss} (RFC 9207).
 */
public final class BrowserSignIn {
  /** The session cookie; the {@code __Host-} prefix pins it to this origin, Secure, Path=/. */
  public static final String SESSION_COOKIE = "__Host-bulwark_session";

  /** A generic sign-in failure: the same words for every cause, so none can be told apart. */
  static final String SIGN_IN_FAILED =
      "The username or password is wrong, or the account is locked for a while.";

  private static final Set<String> OIDC_SCOPES =
      Set.of("openid", "profile", "email", "offline_access");
  private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");
  private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,9}");

  private final ClientStore clients;
  private final UserDirectory users;
  private final SessionStore sessions;
  private final AuthorizationCodeStore codes;
  private final TotpCredentials totp;
  private final RecoveryCodes recoveryCodes;
  private final Passkeys passkeys;
  private final PendingLogins pending;
  private final SignInThrottle throttle;
  private final PasswordHasher decoy;
  private final Supplier<String> issuer;
  private final Duration sessionTtl;
  private final Clock clock;
  private final AuditSink audit;

  /** The stores sign-in works with. */
  public record Stores(
      Database database,
      ClientStore clients,
      UserDirectory users,
      SessionStore sessions,
      AuthorizationCodeStore codes,
      TotpCredentials totp,
      RecoveryCodes recoveryCodes,
      Passkeys passkeys) {}

  public BrowserSignIn(
      Stores stores,
      IdentitySettings settings,
      Supplier<String> issuer,
      Clock clock,
      AuditSink audit) {
    this.clients = stores.clients();
    this.users = stores.users();
    this.sessions = stores.sessions();
    this.codes = stores.codes();
    this.totp = stores.totp();
    this.recoveryCodes = stores.recoveryCodes();
    this.passkeys = stores.passkeys();
    this.pending = new PendingLogins(stores.database(), clock);
    this.throttle =
        new SignInThrottle(
            stores.database(), clock, settings.lockoutThreshold(), settings.lockoutDuration());
    this.decoy = new PasswordHasher();
    this.issuer = issuer;
    this.sessionTtl = settings.sessionTtl();
    this.clock = clock;
    this.audit = audit;
  }

  /** Adds {@code /authorize}, {@code /login} and {@code /login/mfa}. */
  public void routes(HttpRules rules) {
    rules
        .get("/authorize", this::authorize)
        .post("/authorize", this::authorize)
        .post("/login", this::password)
        .post("/login/mfa", (req, res) -> secondFactor(req, res, false))
        .post("/login/webauthn", (req, res) -> secondFactor(req, res, true))
        .post("/login/webauthn/options", this::passkeyOptions)
        .post("/login/passkey/options", this::passwordlessOptions)
        .post("/login/passkey", this::passwordless);
  }

  // ---------------------------------------------------------------- the authorization endpoint

  private void authorize(ServerRequest req, ServerResponse res) {
    boolean post = req.prologue().method().equals(Method.POST);
    Optional<BrowserForm> parsed = post ? formBody(req, res) : Optional.of(query(req));
    if (parsed.isEmpty()) {
      return;
    }
    BrowserForm form = parsed.get();
    if (form.malformed().isPresent()) {
      badRequestPage(req, res, form.malformed().get(), Optional.empty());
      return;
    }
    // §3.1.2.1 / OAuth 2.1 §4.1.2.1: until client and redirect URI are known good, say nothing to
    // anyone but the user.
    if (form.repeated("client_id") || form.repeated("redirect_uri")) {
      badRequestPage(req, res, "client_id or redirect_uri is repeated", Optional.empty());
      return;
    }
    Optional<String> clientId = form.first("client_id");
    Optional<ClientRegistration> client = clientId.flatMap(clients::registration);
    if (client.isEmpty() || !client.get().allowsGrant(ClientRegistration.AUTHORIZATION_CODE)) {
      badRequestPage(
          req,
          res,
          clientId.isEmpty()
              ? "The request names no application (client_id is missing)."
              : "The application '"
                  + BrowserForm.printable(clientId.get())
                  + "' is not registered"
                  + " for sign-in.",
          clientId);
      return;
    }
    Optional<URI> redirect = redirectUri(client.get(), form.first("redirect_uri"));
    if (redirect.isEmpty()) {
      badRequestPage(
          req, res, "The redirect_uri is not one registered for this application.", clientId);
      return;
    }
    ErrorTarget target = new ErrorTarget(redirect.get(), form.first("state"));
    try {
      AuthorizationRequest request = validate(client.get(), redirect.get(), form);
      continueAuthorization(req, res, client.get(), request, form);
    } catch (AuthorizationError e) {
      audit.emit(
          event(req, "authorize", AuditEvent.Outcome.FAILURE)
              .clientId(client.get().clientId())
              .reason(e.error + ": " + e.getMessage())
              .build());
      redirectError(res, target, e.error, e.getMessage(), false);
    }
  }

  private void continueAuthorization(
      ServerRequest req,
      ServerResponse res,
      ClientRegistration client,
      AuthorizationRequest request,
      BrowserForm form) {
    Set<String> prompt = new TreeSet<>(List.of(form.first("prompt").orElse("").split(" ")));
    prompt.remove("");
    Optional<UserSession> session = currentSession(req).map(Current::session);
    boolean needLogin = session.isEmpty() || request.forceLogin();
    if (!needLogin && form.first("max_age").isPresent()) {
      long maxAge = Long.parseLong(form.first("max_age").get());
      // OIDC Core §3.1.2.1: authenticate again when auth_time is older than max_age seconds.
      needLogin = session.get().authTime().plusSeconds(maxAge).isBefore(clock.instant());
    }
    boolean needStepUp = !needLogin && request.mfaRequired() && !session.get().isMultiFactor();
    if (prompt.contains("none") && (needLogin || needStepUp)) {
      throw new AuthorizationError(
          needLogin ? "login_required" : "interaction_required",
          needLogin
              ? "the user must sign in, and prompt=none forbids asking"
              : "a second factor is required, and prompt=none forbids asking");
    }
    if (!needLogin && !needStepUp) {
      issueCode(req, res, request, session.get(), false);
      return;
    }
    AuthorizationRequest waiting =
        new AuthorizationRequest(
            request.clientId(),
            request.redirectUri(),
            request.state(),
            request.nonce(),
            request.codeChallenge(),
            request.scopes(),
            request.audiences(),
            needLogin,
            request.mfaRequired());
    if (needLogin) {
      PendingLogins.Created created = pending.create(waiting, Optional.empty(), Optional.empty());
      passwordPage(res, Status.OK_200, client, created.pending(), created.csrfToken(), false);
      return;
    }
    UserSession current = session.get();
    if (!hasSecondFactor(current.userId())) {
      noSecondFactorPage(res, client, waiting);
      return;
    }
    PendingLogins.Created created =
        pending.create(waiting, Optional.of(current.sessionId()), Optional.of(current.userId()));
    secondFactorPage(
        res,
        Status.OK_200,
        client,
        created.pending(),
        current.userId(),
        created.csrfToken(),
        false);
    audit.emit(
        event(req, "authorize", AuditEvent.Outcome.SUCCESS)
            .subject(current.userId())
            .clientId(client.clientId())
            .reason("step-up: asking for a second factor")
            .build());
  }

  private AuthorizationRequest validate(ClientRegistration client, URI redirect, BrowserForm form) {
    Optional<String> repeated = form.firstRepeated(List.of("resource"));
    if (repeated.isPresent()) {
      throw new AuthorizationError(
          "invalid_request",
          "parameter '" + BrowserForm.printable(repeated.get()) + "' is repeated");
    }
    if (form.first("request").isPresent()) {
      throw new AuthorizationError("request_not_supported", "request objects are not supported");
    }
    if (form.first("request_uri").isPresent()) {
      throw new AuthorizationError("request_uri_not_supported", "request_uri is not supported");
    }
    Optional<String> responseType = form.first("response_type");
    if (responseType.isEmpty()) {
      throw new AuthorizationError("invalid_request", "response_type is missing");
    }
    if (!responseType.get().equals("code")) {
      throw new AuthorizationError(
          "unsupported_response_type", "only response_type=code is supported (OAuth 2.1)");
    }
    if (form.first("response_mode").isPresent()
        && !form.first("response_mode").get().equals("query")) {
      throw new AuthorizationError("invalid_request", "only response_mode=query is supported");
    }
    // RFC 7636 §4.3, OAuth 2.1 §4.1.1: PKCE is required, with S256 only.
    Optional<String> challenge = form.first("code_challenge");
    if (challenge.isEmpty()) {
      throw new AuthorizationError("invalid_request", "code_challenge is required (PKCE)");
    }
    if (!"S256".equals(form.first("code_challenge_method").orElse(""))) {
      throw new AuthorizationError(
          "invalid_request", "code_challenge_method must be S256 (plain is not accepted)");
    }
    if (!CHALLENGE.matcher(challenge.get()).matches()) {
      throw new AuthorizationError(
          "invalid_request", "code_challenge must be 43 base64url characters (RFC 7636 §4.2)");
    }
    Set<String> scopes = scopes(client, form.first("scope"));
    List<String> audiences =
        ResourceIndicators.narrow(
            client,
            form.all("resource"),
            description -> new AuthorizationError("invalid_target", description));
    Set<String> prompt = new TreeSet<>(List.of(form.first("prompt").orElse("").split(" ")));
    prompt.remove("");
    if (!PROMPTS.containsAll(prompt)) {
      throw new AuthorizationError("invalid_request", "prompt has an unknown value");
    }
    if (prompt.contains("none") && prompt.size() > 1) {
      throw new AuthorizationError(
          "invalid_request", "prompt=none cannot be combined with other values (OIDC §3.1.2.1)");
    }
    Optional<String> maxAge = form.first("max_age");
    if (maxAge.isPresent() && !MAX_AGE.matcher(maxAge.get()).matches()) {
      throw new AuthorizationError("invalid_request", "max_age must be a number of seconds");
    }
    boolean forceLogin =
        prompt.contains("login") || maxAge.map(m -> Long.parseLong(m) == 0).orElse(false);
    // Unknown acr values are ignored (they are voluntary claims, OIDC §5.5.1.1).
    boolean mfaDemanded =
        List.of(form.first("acr_values").orElse("").split(" ")).contains(UserSession.ACR_MFA);
    Optional<String> nonce = form.first("nonce");
    if (nonce.isPresent() && nonce.get().length() > 500) {
      throw new AuthorizationError("invalid_request", "nonce is longer than 500 characters");
    }
    Optional<String> state = form.first("state");
    if (state.isPresent() && state.get().length() > 2000) {
      throw new AuthorizationError("invalid_request", "state is longer than 2000 characters");
    }
    return new AuthorizationRequest(
        client.clientId(),
        redirect,
        state,
        nonce,
        challenge.get(),
        scopes,
        audiences,
        forceLogin,
        mfaDemanded || client.requireMfa());
  }

  // OAuth 2.1 §2.3.1 / §4.1.1: compared as strings, exactly; may be left out only if there is
  // exactly one registered.
  private static Optional<URI> redirectUri(ClientRegistration client, Optional<String> given) {
    if (given.isEmpty()) {
      return client.redirectUris().size() == 1
          ? Optional.of(client.redirectUris().get(0))
          : Optional.empty();
    }
    return client.redirectUris().stream()
        .filter(registered -> registered.toString().equals(given.get()))
        .findFirst();
  }

  private static Set<String> scopes(ClientRegistration client, Optional<String> requested) {
    if (requested.isEmpty()) {
      return client.scopes();
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (String scope : requested.get().trim().split(" +")) {
      if (!client.scopes().contains(scope) && !OIDC_SCOPES.contains(scope)) {
        throw new AuthorizationError(
            "invalid_scope",
            "scope '" + BrowserForm.printable(scope) + "' is not allowed for this client");
      }
      scopes.add(scope);
    }
    return scopes;
  }

  // ---------------------------------------------------------------- password

  private void password(ServerRequest req, ServerResponse res) {
    Optional<Step> step = step(req, res);
    if (step.isEmpty()) {
      return;
    }
    Step s = step.get();
    if (s.pending().userId().isPresent()) {
      badRequestPage(
          req, res, "This sign-in has already passed the password step.", Optional.empty());
      return;
    }
    String username = s.form().first("username").orElse("").trim().toLowerCase(Locale.ROOT);
    String password = s.form().first("password").orElse("");
    String address = PeerAddress.of(req.remotePeer());
    String accountKey = SignInThrottle.accountKey(username);
    String addressKey = SignInThrottle.addressKey(address);
    Optional<String> refusal = throttle.refusal(addressKey).or(() -> throttle.refusal(accountKey));
    Optional<UserAccount> user;
    if (refusal.isPresent() || username.isEmpty() || username.length() > 200) {
      // Same cost as a real check, so a locked account cannot be told from a wrong password.
      decoy.verifyDecoy(password);
      user = Optional.empty();
    } else {
      user = users.checkPassword(username, password);
    }
    // Audit records name the account by its id when it exists; every failure looks it up, so the
    // lookup does not tell unknown users apart by timing.
    String subject =
        user.or(() -> username.isEmpty() ? Optional.empty() : users.byUsername(username))
            .map(UserAccount::userId)
            .orElse(BrowserForm.printable(username));
    if (user.isEmpty()) {
      String reason = refusal.orElse("wrong username or password, or a disabled user");
      audit.emit(
          event(req, "user.login", AuditEvent.Outcome.FAILURE)
              .subject(subject)
              .clientId(s.client().clientId())
              .reason(reason)
              .build());
      if (refusal.isEmpty()) {
        countFailure(req, accountKey, subject);
        countFailure(req, addressKey, address);
      }
      passwordPage(res, Status.UNAUTHORIZED_401, s.client(), s.pending(), s.csrf(), true);
      return;
    }
    throttle.succeed(accountKey);
    String userId = user.get().userId();
    if (hasSecondFactor(userId)) {
      pending.passwordVerified(s.pending().requestId(), userId);
      audit.emit(
          event(req, "user.login", AuditEvent.Outcome.SUCCESS)
              .subject(userId)
              .clientId(s.client().clientId())
              .reason("password verified; second factor next")
              .build());
      secondFactorPage(res, Status.OK_200, s.client(), s.pending(), userId, s.csrf(), false);
      return;
    }
    UserSession session = signIn(req, res, userId, List.of("pwd"), UserSession.ACR_PASSWORD);
    if (s.pending().request().mfaRequired()) {
      pending.consume(s.pending().requestId());
      noSecondFactorPage(res, s.client(), s.pending().request());
      return;
    }
    finish(req, res, s, session);
  }

  // ---------------------------------------------------------------- second factor

  private void secondFactor(ServerRequest req, ServerResponse res, boolean passkey) {
    Optional<Step> step = step(req, res);
    if (step.isEmpty()) {
      return;
    }
    Step s = step.get();
    if (s.pending().userId().isEmpty()) {
      badRequestPage(req, res, "Sign in with your password first.", Optional.empty());
      return;
    }
    String userId = s.pending().userId().get();
    Optional<UserAccount> user = users.byId(userId).filter(UserAccount::enabled);
    Optional<UserSession> stepUp = Optional.empty();
    if (s.pending().stepUpSession().isPresent()) {
      // A step-up continues the browser's own session, no other.
      stepUp =
          currentSession(req)
              .map(Current::session)
              .filter(c -> c.sessionId().equals(s.pending().stepUpSession().get()));
      if (stepUp.isEmpty()) {
        badRequestPage(
            req, res, "Your session ended. Start again at the application.", Optional.empty());
        return;
      }
    }
    if (user.isEmpty()) {
      badRequestPage(req, res, "Start again at the application.", Optional.empty());
      return;
    }
    String address = PeerAddress.of(req.remotePeer());
    String accountKey = SignInThrottle.accountKey(user.get().username());
    String addressKey = SignInThrottle.addressKey(address);
    Optional<String> refusal = throttle.refusal(addressKey).or(() -> throttle.refusal(accountKey));
    Optional<String> totpCode = s.form().first("totp");
    Optional<String> recoveryCode = s.form().first("recovery_code");
    String action =
        passkey
            ? "mfa.webauthn.verify"
            : totpCode.isPresent() ? "mfa.totp.verify" : "mfa.recovery.use";
    Passkeys.Outcome outcome = Passkeys.Outcome.refused(refusal.orElse("no code"));
    if (refusal.isEmpty()) {
      if (passkey) {
        outcome =
            assertion(s.form())
                .map(a -> passkeys.authenticate(userId, a))
                .orElse(Passkeys.Outcome.refused("malformed assertion"));
      } else if (totpCode.isPresent()) {
        outcome =
            totp.verify(userId, totpCode.get())
                ? Passkeys.Outcome.ok()
                : Passkeys.Outcome.refused("wrong or reused code");
      } else if (recoveryCode.isPresent()) {
        outcome =
            recoveryCodes.use(userId, recoveryCode.get())
                ? Passkeys.Outcome.ok()
                : Passkeys.Outcome.refused("wrong or used recovery code");
      }
    }
    if (!outcome.verified()) {
      audit.emit(
          event(req, action, AuditEvent.Outcome.FAILURE)
              .subject(userId)
              .clientId(s.client().clientId())
              .reason(outcome.reason())
              .build());
      if (refusal.isEmpty()) {
        countFailure(req, accountKey, userId);
        countFailure(req, addressKey, address);
      }
      secondFactorPage(
          res, Status.UNAUTHORIZED_401, s.client(), s.pending(), userId, s.csrf(), true);
      return;
    }
    throttle.succeed(accountKey);
    audit.emit(
        event(req, action, AuditEvent.Outcome.SUCCESS)
            .subject(userId)
            .clientId(s.client().clientId())
            .attribute(
                "remaining_recovery_codes",
                recoveryCode.isPresent() && !passkey && totpCode.isEmpty()
                    ? Integer.toString(recoveryCodes.remaining(userId))
                    : "-")
            .build());
    // RFC 8176 §2: a recovery code is a one-time password ("otp"; the audit event says which);
    // a passkey with user verification is a hardware-held key ("hwk") and a user check ("user").
    List<String> amr = passkey ? List.of("pwd", "hwk", "user") : List.of("pwd", "otp");
    UserSession session;
    if (stepUp.isPresent()) {
      session = sessions.reauthenticated(stepUp.get().sessionId(), amr, UserSession.ACR_MFA);
      audit.emit(
          event(req, "session.start", AuditEvent.Outcome.SUCCESS)
              .subject(userId)
              .clientId(s.client().clientId())
              .reason("step-up to multi-factor")
              .attribute("sid", session.sessionId())
              .build());
    } else {
      session = signIn(req, res, userId, amr, UserSession.ACR_MFA);
    }
    finish(req, res, s, session);
  }

  private void passkeyOptions(ServerRequest req, ServerResponse res) {
    Optional<Step> step = step(req, res);
    if (step.isEmpty()) {
      return;
    }
    Optional<String> userId = step.get().pending().userId();
    if (userId.isEmpty() || passkeys.count(userId.get()) == 0) {
      HttpResponses.error(
          res, Status.BAD_REQUEST_400, "invalid_request", "no passkey sign-in is waiting here");
      return;
    }
    HttpResponses.json(res, Status.OK_200, passkeys.authenticationOptions(userId.get()));
  }

  // The assertion's parts, base64url as the page's script sends them (WebAuthn §5.2.2).
  private static Optional<Passkeys.Assertion> assertion(BrowserForm form) {
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      return Optional.of(
          new Passkeys.Assertion(
              form.first("challenge").orElseThrow(),
              b64.decode(form.first("credential_id").orElseThrow()),
              b64.decode(form.first("authenticator_data").orElseThrow()),
              b64.decode(form.first("client_data_json").orElseThrow()),
              b64.decode(form.first("signature").orElseThrow())));
    } catch (java.util.NoSuchElementException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private void passwordlessOptions(ServerRequest req, ServerResponse res) {
    Optional<Step> step = step(req, res);
    if (step.isEmpty()) {
      return;
    }
    if (step.get().pending().userId().isPresent()) {
      HttpResponses.error(
          res, Status.BAD_REQUEST_400, "invalid_request", "this sign-in is past its first step");
      return;
    }
    HttpResponses.json(res, Status.OK_200, passkeys.discoverableOptions());
  }

  // Passwordless: a discoverable passkey with user verification is two factors in one.
  private void passwordless(ServerRequest req, ServerResponse res) {
    Optional<Step> step = step(req, res);
    if (step.isEmpty()) {
      return;
    }
    Step s = step.get();
    if (s.pending().userId().isPresent()) {
      badRequestPage(req, res, "This sign-in is past its first step.", Optional.empty());
      return;
    }
    String address = PeerAddress.of(req.remotePeer());
    String addressKey = SignInThrottle.addressKey(address);
    Optional<String> refusal = throttle.refusal(addressKey);
    Passkeys.Discovered discovered =
        refusal.isPresent()
            ? new Passkeys.Discovered(Passkeys.Outcome.refused(refusal.get()), Optional.empty())
            : assertion(s.form())
                .map(passkeys::authenticateDiscoverable)
                .orElse(
                    new Passkeys.Discovered(
                        Passkeys.Outcome.refused("malformed assertion"), Optional.empty()));
    Optional<UserAccount> user =
        discovered.userId().flatMap(users::byId).filter(UserAccount::enabled);
    if (!discovered.outcome().verified() || user.isEmpty()) {
      audit.emit(
          event(req, "mfa.webauthn.verify", AuditEvent.Outcome.FAILURE)
              .subject(discovered.userId().orElse("-"))
              .clientId(s.client().clientId())
              .reason(
                  discovered.outcome().verified()
                      ? "the passkey's user is disabled"
                      : discovered.outcome().reason())
              .build());
      if (refusal.isEmpty()) {
        countFailure(req, addressKey, address);
      }
      passwordPage(res, Status.UNAUTHORIZED_401, s.client(), s.pending(), s.csrf(), true);
      return;
    }
    String userId = user.get().userId();
    audit.emit(
        event(req, "mfa.webauthn.verify", AuditEvent.Outcome.SUCCESS)
            .subject(userId)
            .clientId(s.client().clientId())
            .reason("passwordless")
            .build());
    UserSession session = signIn(req, res, userId, List.of("hwk", "user"), UserSession.ACR_MFA);
    finish(req, res, s, session);
  }

  // ---------------------------------------------------------------- shared steps

  /** The POSTed form of a sign-in step, its pending request and client, CSRF-checked. */
  private record Step(
      BrowserForm form, PendingLogins.Pending pending, ClientRegistration client, String csrf) {}

  private Optional<Step> step(ServerRequest req, ServerResponse res) {
    Optional<BrowserForm> parsed = formBody(req, res);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    BrowserForm form = parsed.get();
    Optional<PendingLogins.Pending> found = form.first("request").flatMap(pending::find);
    if (found.isEmpty()) {
      badRequestPage(
          req,
          res,
          "This sign-in page has expired or was already used. Start again at the application.",
          Optional.empty());
      return Optional.empty();
    }
    if (!found.get().csrfMatches(form.first("csrf"))) {
      audit.emit(
          event(req, "user.login", AuditEvent.Outcome.FAILURE)
              .clientId(found.get().request().clientId())
              .reason("CSRF token missing or wrong")
              .build());
      Html.error(
          res,
          Status.FORBIDDEN_403,
          "Request refused",
          "The form did not come from this sign-in page. Start again at the application.");
      return Optional.empty();
    }
    Optional<ClientRegistration> client = clients.registration(found.get().request().clientId());
    if (client.isEmpty()) {
      badRequestPage(req, res, "The application is no longer registered.", Optional.empty());
      return Optional.empty();
    }
    return Optional.of(new Step(form, found.get(), client.get(), form.first("csrf").get()));
  }

  private void finish(ServerRequest req, ServerResponse res, Step step, UserSession session) {
    if (!pending.consume(step.pending().requestId())) {
      badRequestPage(req, res, "This sign-in was already used.", Optional.empty());
      return;
    }
    issueCode(req, res, step.pending().request(), session, true);
  }

  private UserSession signIn(
      ServerRequest req, ServerResponse res, String userId, List<String> amr, String acr) {
    Optional<Current> previous = currentSession(req);
    String address = PeerAddress.of(req.remotePeer());
    if (previous.isPresent() && previous.get().session().userId().equals(userId)) {
      UserSession again = sessions.reauthenticated(previous.get().session().sessionId(), amr, acr);
      audit.emit(
          event(req, "session.start", AuditEvent.Outcome.SUCCESS)
              .subject(userId)
              .reason("re-authenticated")
              .attribute("sid", again.sessionId())
              .build());
      return again;
    }
    previous.ifPresent(
        p -> {
          sessions.revoke(p.session().sessionId());
          audit.emit(
              event(req, "session.end", AuditEvent.Outcome.SUCCESS)
                  .subject(p.session().userId())
                  .reason("another user signed in in this browser")
                  .attribute("sid", p.session().sessionId())
                  .build());
        });
    SessionStore.Started started = sessions.start(userId, amr, acr, sessionTtl, address);
    res.header(
        HeaderValues.create(
            HeaderNames.SET_COOKIE,
            SESSION_COOKIE
                + "="
                + started.cookieValue()
                + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age="
                + sessionTtl.toSeconds()));
    audit.emit(
        event(req, "user.login", AuditEvent.Outcome.SUCCESS)
            .subject(userId)
            .attribute("amr", String.join(" ", amr))
            .attribute("acr", acr)
            .build());
    audit.emit(
        event(req, "session.start", AuditEvent.Outcome.SUCCESS)
            .subject(userId)
            .attribute("sid", started.session().sessionId())
            .attribute("amr", String.join(" ", amr))
            .build());
    return started.session();
  }

  private void issueCode(
      ServerRequest req,
      ServerResponse res,
      AuthorizationRequest request,
      UserSession session,
      boolean afterPost) {
    String code =
        codes.issue(
            new CodeGrant(
                request.clientId(),
                session.userId(),
                session.sessionId(),
                request.redirectUri(),
                request.codeChallenge(),
                request.scopes(),
                request.audiences(),
                request.nonce(),
                session.authTime(),
                session.amr(),
                session.acr()));
    audit.emit(
        event(req, "authorize", AuditEvent.Outcome.SUCCESS)
            .subject(session.userId())
            .clientId(request.clientId())
            .resource(String.join(" ", request.audiences()))
            .reason("code issued")
            .attribute("sid", session.sessionId())
            .attribute("acr", session.acr())
            .build());
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("code", code);
    request.state().ifPresent(s -> parameters.put("state", s));
    parameters.put("iss", issuer.get());
    redirect(res, request.redirectUri(), parameters, afterPost);
  }

  private void countFailure(ServerRequest req, String key, String subject) {
    if (throttle.fail(key)) {
      audit.emit(
          event(req, "user.lockout", AuditEvent.Outcome.FAILURE)
              .subject(subject)
              .reason(
                  (key.startsWith("addr:") ? "source address" : "account")
                      + " locked after too many failed sign-ins")
              .build());
    }
  }

  private boolean hasSecondFactor(String userId) {
    return totp.isEnrolled(userId) || passkeys.count(userId) > 0;
  }

  /** The browser's session, with the cookie value it came from. */
  record Current(UserSession session, String cookieValue) {
    @Override
    public String toString() {
      return "Current[" + session + "]";
    }
  }

  /** The active session of an enabled user that the request's cookie resumes. */
  Optional<Current> currentSession(ServerRequest req) {
    List<String> values = req.headers().cookies().all(SESSION_COOKIE, List::of);
    for (String value : values) {
      Optional<UserSession> session =
          sessions
              .resume(value)
              .filter(s -> users.byId(s.userId()).map(UserAccount::enabled).orElse(false));
      if (session.isPresent()) {
        return Optional.of(new Current(session.get(), value));
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- pages

  private void passwordPage(
      ServerResponse res,
      Status status,
      ClientRegistration client,
      PendingLogins.Pending pending,
      String csrf,
      boolean failed) {
    String body =
        "<p>Sign in to continue to <strong>"
            + Html.escape(client.displayName())
            + "</strong>.</p>"
            + (failed
                ? "<p class=\"error\" role=\"alert\">" + Html.escape(SIGN_IN_FAILED) + "</p>"
                : "")
            + "<form method=\"post\" action=\"/login\">"
            + Html.hidden("request", pending.requestId())
            + Html.hidden("csrf", csrf)
            + "<label for=\"username\">Username</label>"
            + "<input id=\"username\" name=\"username\" autocomplete=\"username\" required"
            + " autofocus>"
            + "<label for=\"password\">Password</label>"
            + "<input id=\"password\" name=\"password\" type=\"password\""
            + " autocomplete=\"current-password\" required>"
            + "<button type=\"submit\">Sign in</button></form>"
            + passkeyForm("/login/passkey", pending, csrf, "Sign in with a passkey");
    Html.send(res, status, "Sign in", body, List.of(origin(pending.request().redirectUri())));
  }

  private void secondFactorPage(
      ServerResponse res,
      Status status,
      ClientRegistration client,
      PendingLogins.Pending pending,
      String userId,
      String csrf,
      boolean failed) {
    String hidden = Html.hidden("request", pending.requestId()) + Html.hidden("csrf", csrf);
    String intro =
        "<p>Confirm it is you to continue to <strong>"
            + Html.escape(client.displayName())
            + "</strong>.</p>"
            + (failed
                ? "<p class=\"error\" role=\"alert\">The code is wrong or was already used.</p>"
                : "");
    String totpForms =
        !totp.isEnrolled(userId)
            ? ""
            : "<form method=\"post\" action=\"/login/mfa\">"
                + hidden
                + "<label for=\"totp\">Code from your authenticator app</label>"
                + "<input id=\"totp\" name=\"totp\" inputmode=\"numeric\" pattern=\"[0-9 ]*\""
                + " autocomplete=\"one-time-code\" autofocus>"
                + "<button type=\"submit\">Continue</button></form>"
                + "<form method=\"post\" action=\"/login/mfa\">"
                + hidden
                + "<label for=\"recovery_code\">Or a recovery code</label>"
                + "<input id=\"recovery_code\" name=\"recovery_code\" autocomplete=\"off\">"
                + "<button type=\"submit\">Use recovery code</button></form>";
    String passkeyForm =
        passkeys.count(userId) == 0
            ? ""
            : passkeyForm("/login/webauthn", pending, csrf, "Use a passkey");
    String body = intro + totpForms + passkeyForm;
    Html.send(res, status, "Second factor", body, List.of(origin(pending.request().redirectUri())));
  }

  // A form that a script fills with a passkey assertion; {@code action}/options gives the options.
  private static String passkeyForm(
      String action, PendingLogins.Pending pending, String csrf, String label) {
    return "<form method=\"post\" action=\""
        + action
        + "\">"
        + Html.hidden("request", pending.requestId())
        + Html.hidden("csrf", csrf)
        + Html.hidden("challenge", "")
        + Html.hidden("credential_id", "")
        + Html.hidden("authenticator_data", "")
        + Html.hidden("client_data_json", "")
        + Html.hidden("signature", "")
        + "<button type=\"button\" data-passkey>"
        + Html.escape(label)
        + "</button></form>"
        + "<script nonce=\"{{nonce}}\">"
        + PASSKEY_SCRIPT.replace("ACTION", action)
        + "</script>";
  }

  // Asks the browser for an assertion (WebAuthn §5.1.4) and posts it in the form above.
  private static final String PASSKEY_SCRIPT =
      """
      (() => {
        const form = document.querySelector('form[action="ACTION"]');
        const bytes = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')),
            c => c.charCodeAt(0));
        const text = b => btoa(String.fromCharCode(...new Uint8Array(b)))
            .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
        form.querySelector('[data-passkey]').addEventListener('click', async () => {
          const body = new URLSearchParams({request: form.request.value, csrf: form.csrf.value});
          const o = await (await fetch('ACTION/options', {method: 'POST', body})).json();
          const c = await navigator.credentials.get({publicKey: {
            challenge: bytes(o.challenge), rpId: o.rpId, timeout: o.timeout,
            userVerification: o.userVerification,
            allowCredentials: o.allowCredentials.map(a => ({type: a.type, id: bytes(a.id)}))}});
          form.challenge.value = o.challenge;
          form.credential_id.value = text(c.rawId);
          form.authenticator_data.value = text(c.response.authenticatorData);
          form.client_data_json.value = text(c.response.clientDataJSON);
          form.signature.value = text(c.response.signature);
          form.submit();
        });
      })();
      """;

  private void noSecondFactorPage(
      ServerResponse res, ClientRegistration client, AuthorizationRequest request) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("error", "access_denied");
    parameters.put("error_description", "the user has no second factor, which this request needs");
    request.state().ifPresent(s -> parameters.put("state", s));
    parameters.put("iss", issuer.get());
    String cancel = withParameters(request.redirectUri(), parameters);
    Html.send(
        res,
        Status.FORBIDDEN_403,
        "Second factor needed",
        "<p><strong>"
            + Html.escape(client.displayName())
            + "</strong> needs a second factor, and your account has none yet.</p>"
            + "<p><a href=\"/account/mfa\">Set up an authenticator app</a>, then start again at"
            + " the application.</p><p><a href=\""
            + Html.escape(cancel)
            + "\">Cancel and return to the application</a></p>",
        List.of());
  }

  private void badRequestPage(
      ServerRequest req, ServerResponse res, String message, Optional<String> clientId) {
    AuditEvent.Builder event = event(req, "authorize", AuditEvent.Outcome.FAILURE).reason(message);
    clientId.ifPresent(c -> event.clientId(BrowserForm.printable(c)));
    audit.emit(event.build());
    Html.error(res, Status.BAD_REQUEST_400, "Sign-in request not valid", message);
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private static BrowserForm query(ServerRequest req) {
    return BrowserForm.parse(req.query().rawValue());
  }

  /** The form body of a POST, or empty after answering 415/400. */
  static Optional<BrowserForm> formBody(ServerRequest req, ServerResponse res) {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-www-form-urlencoded")) {
      Html.error(
          res,
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "Request not valid",
          "Forms must be sent as application/x-www-form-urlencoded.");
      return Optional.empty();
    }
    byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    BrowserForm form = BrowserForm.parse(new String(body, StandardCharsets.UTF_8));
    if (form.malformed().isPresent()) {
      Html.error(res, Status.BAD_REQUEST_400, "Request not valid", form.malformed().get());
      return Optional.empty();
    }
    return Optional.of(form);
  }

  private record ErrorTarget(URI redirectUri, Optional<String> state) {}

  private void redirectError(
      ServerResponse res, ErrorTarget target, String error, String description, boolean afterPost) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("error", error);
    parameters.put("error_description", description);
    target.state().ifPresent(s -> parameters.put("state", s));
    parameters.put("iss", issuer.get());
    redirect(res, target.redirectUri(), parameters, afterPost);
  }

  static void redirect(
      ServerResponse res, URI target, Map<String, String> parameters, boolean afterPost) {
    res.status(afterPost ? Status.SEE_OTHER_303 : Status.FOUND_302);
    res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store"));
    res.header(HeaderValues.create(HeaderNames.create("Referrer-Policy"), "no-referrer"));
    res.header(HeaderNames.LOCATION, withParameters(target, parameters));
    res.send();
  }

  static String withParameters(URI target, Map<String, String> parameters) {
    StringBuilder url = new StringBuilder(target.toString());
    char separator = target.getRawQuery() == null ? '?' : '&';
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      url.append(separator)
          .append(BrowserForm.encode(parameter.getKey()))
          .append('=')
          .append(BrowserForm.encode(parameter.getValue()));
      separator = '&';
    }
    return url.toString();
  }

  static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  AuditEvent.Builder event(ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return RequestAudit.event(clock, req, action, outcome);
  }

  /** An error returned to the client by redirect (OAuth 2.1 §4.1.2.1). */
  private static final class AuthorizationError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String error;

    AuthorizationError(String error, String description) {
      super(description, null, false, false);
      this.error = error;
    }
  }

  static String csrfFor(String cookieValue) {
    return Tokens.hash("csrf|" + cookieValue);
  }
}
