package dev.bulwark.identity.internal.login;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.identity.internal.Tokens;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.identity.internal.mfa.Passkeys;
import dev.bulwark.identity.internal.mfa.QrCode;
import dev.bulwark.identity.internal.mfa.RecoveryCodes;
import dev.bulwark.identity.internal.mfa.TotpCredentials;
import dev.bulwark.runtime.http.HttpResponses;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The signed-in user's own pages: setting up an authenticator app (TOTP) and receiving recovery
 * codes. Every POST carries a CSRF token derived from the session cookie, which a cross-site page
 * cannot read.
 */
public final class AccountPages {
  private final BrowserSignIn signIn;
  private final UserDirectory users;
  private final TotpCredentials totp;
  private final RecoveryCodes recoveryCodes;
  private final Passkeys passkeys;
  private final Supplier<String> issuer;
  private final AuditSink audit;

  public AccountPages(
      BrowserSignIn signIn,
      UserDirectory users,
      TotpCredentials totp,
      RecoveryCodes recoveryCodes,
      Passkeys passkeys,
      Supplier<String> issuer,
      AuditSink audit) {
    this.signIn = signIn;
    this.users = users;
    this.totp = totp;
    this.recoveryCodes = recoveryCodes;
    this.passkeys = passkeys;
    this.issuer = issuer;
    this.audit = audit;
  }

  /** Adds {@code /account/mfa} and {@code /account/passkeys}. */
  public void routes(HttpRules rules) {
    rules
        .get("/account/mfa", this::show)
        .post("/account/mfa", this::confirm)
        .get("/account/passkeys", this::passkeyPage)
        .post("/account/passkeys/options", this::passkeyOptions)
        .post("/account/passkeys", this::registerPasskey);
  }

  private void passkeyPage(ServerRequest req, ServerResponse res) {
    Optional<BrowserSignIn.Current> current = signIn.currentSession(req);
    if (current.isEmpty()) {
      notSignedIn(res);
      return;
    }
    StringBuilder fields = new StringBuilder();
    fields.append(Html.hidden("csrf", BrowserSignIn.csrfFor(current.get().cookieValue())));
    for (String field : List.of("challenge", "attestation_object", "client_data_json")) {
      fields.append(Html.hidden(field, ""));
    }
    Html.send(
        res,
        Status.OK_200,
        "Passkeys",
        "<p>Passkeys registered: "
            + passkeys.count(current.get().session().userId())
            + "</p><form method=\"post\" action=\"/account/passkeys\">"
            + fields
            + "<button type=\"button\" id=\"add-passkey\">Add a passkey</button></form>"
            + "<script nonce=\"{{nonce}}\">"
            + REGISTER_SCRIPT
            + "</script>",
        List.of());
  }

  private void passkeyOptions(ServerRequest req, ServerResponse res) {
    Optional<Checked> checked = checked(req, res, "mfa.webauthn.register");
    if (checked.isEmpty()) {
      return;
    }
    UserAccount user = users.byId(checked.get().current().session().userId()).orElseThrow();
    HttpResponses.json(
        res,
        Status.OK_200,
        passkeys.registrationOptions(user.userId(), user.username(), user.displayName()));
  }

  private void registerPasskey(ServerRequest req, ServerResponse res) {
    Optional<Checked> checked = checked(req, res, "mfa.webauthn.register");
    if (checked.isEmpty()) {
      return;
    }
    String userId = checked.get().current().session().userId();
    BrowserForm form = checked.get().form();
    Passkeys.Outcome outcome;
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      outcome =
          passkeys.register(
              userId,
              form.first("challenge").orElse(""),
              b64.decode(form.first("attestation_object").orElse("")),
              b64.decode(form.first("client_data_json").orElse("")));
    } catch (IllegalArgumentException e) {
      outcome = new Passkeys.Outcome(false, "malformed registration response");
    }
    audit.emit(
        signIn
            .event(
                req,
                "mfa.webauthn.register",
                outcome.verified() ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE)
            .subject(userId)
            .reason(outcome.reason())
            .build());
    if (!outcome.verified()) {
      Html.error(
          res, Status.BAD_REQUEST_400, "Passkey not added", "The passkey could not be verified.");
      return;
    }
    Html.send(res, Status.OK_200, "Passkey added", "<p>Your passkey is registered.</p>", List.of());
  }

  private void show(ServerRequest req, ServerResponse res) {
    Optional<BrowserSignIn.Current> current = signIn.currentSession(req);
    if (current.isEmpty()) {
      notSignedIn(res);
      return;
    }
    String userId = current.get().session().userId();
    UserAccount user = users.byId(userId).orElseThrow();
    if (totp.isEnrolled(userId)) {
      Html.send(
          res,
          Status.OK_200,
          "Two-step sign-in",
          "<p>An authenticator app is set up for <strong>"
              + Html.escape(user.username())
              + "</strong>.</p><p>Unused recovery codes: "
              + recoveryCodes.remaining(userId)
              + "</p><p>To replace the app, ask an administrator to reset your second factors.</p>",
          List.of());
      return;
    }
    String issuerName = URI.create(issuer.get()).getHost();
    TotpCredentials.Enrollment enrollment =
        totp.begin(userId, user.username(), issuerName).orElseThrow();
    enrollPage(res, current.get(), enrollment);
  }

  private void confirm(ServerRequest req, ServerResponse res) {
    Optional<BrowserForm> parsed = BrowserSignIn.formBody(req, res);
    if (parsed.isEmpty()) {
      return;
    }
    Optional<BrowserSignIn.Current> current = signIn.currentSession(req);
    if (current.isEmpty()) {
      notSignedIn(res);
      return;
    }
    String userId = current.get().session().userId();
    if (!csrfMatches(current.get(), parsed.get().first("csrf"))) {
      audit.emit(
          signIn
              .event(req, "mfa.totp.enroll", AuditEvent.Outcome.FAILURE)
              .subject(userId)
              .reason("CSRF token missing or wrong")
              .build());
      Html.error(res, Status.FORBIDDEN_403, "Request refused", "The form did not come from here.");
      return;
    }
    if (!totp.confirm(userId, parsed.get().first("code").orElse(""))) {
      audit.emit(
          signIn
              .event(req, "mfa.totp.enroll", AuditEvent.Outcome.FAILURE)
              .subject(userId)
              .reason("wrong confirmation code, or nothing to confirm")
              .build());
      Html.send(
          res,
          Status.BAD_REQUEST_400,
          "Two-step sign-in",
          "<p class=\"error\" role=\"alert\">That code is wrong. "
              + "<a href=\"/account/mfa\">Start the setup again</a>.</p>",
          List.of());
      return;
    }
    List<String> codes = recoveryCodes.issue(userId);
    audit.emit(
        signIn
            .event(req, "mfa.totp.enroll", AuditEvent.Outcome.SUCCESS)
            .subject(userId)
            .attribute("recovery_codes", Integer.toString(codes.size()))
            .build());
    StringBuilder list = new StringBuilder("<ul id=\"recovery-codes\">");
    codes.forEach(c -> list.append("<li><code>").append(Html.escape(c)).append("</code></li>"));
    list.append("</ul>");
    Html.send(
        res,
        Status.OK_200,
        "Two-step sign-in is on",
        "<p>Your authenticator app is set up. Keep these recovery codes somewhere safe: each"
            + " signs you in once if you lose the app. They are shown only now.</p>"
            + list,
        List.of());
  }

  private void enrollPage(
      ServerResponse res, BrowserSignIn.Current current, TotpCredentials.Enrollment enrollment) {
    Html.send(
        res,
        Status.OK_200,
        "Set up an authenticator app",
        "<p>Scan this code with your authenticator app:</p>"
            + QrCode.svg(enrollment.otpauthUri())
            + "<p>Or enter this key by hand: <code id=\"totp-secret\">"
            + Html.escape(enrollment.base32Secret())
            + "</code></p>"
            + "<form method=\"post\" action=\"/account/mfa\">"
            + Html.hidden("csrf", BrowserSignIn.csrfFor(current.cookieValue()))
            + "<label for=\"code\">Then type the code it shows</label>"
            + "<input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\""
            + " required autofocus><button type=\"submit\">Turn on</button></form>",
        List.of());
  }

  private record Checked(BrowserSignIn.Current current, BrowserForm form) {}

  // A POST from a signed-in browser with the session's CSRF token; otherwise answered here.
  private Optional<Checked> checked(ServerRequest req, ServerResponse res, String action) {
    Optional<BrowserForm> parsed = BrowserSignIn.formBody(req, res);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    Optional<BrowserSignIn.Current> current = signIn.currentSession(req);
    if (current.isEmpty()) {
      notSignedIn(res);
      return Optional.empty();
    }
    if (!csrfMatches(current.get(), parsed.get().first("csrf"))) {
      audit.emit(
          signIn
              .event(req, action, AuditEvent.Outcome.FAILURE)
              .subject(current.get().session().userId())
              .reason("CSRF token missing or wrong")
              .build());
      Html.error(res, Status.FORBIDDEN_403, "Request refused", "The form did not come from here.");
      return Optional.empty();
    }
    return Optional.of(new Checked(current.get(), parsed.get()));
  }

  // Creates a credential (WebAuthn §5.1.3) and posts the attestation in the form above.
  private static final String REGISTER_SCRIPT =
      """
      (() => {
        const form = document.querySelector('form[action="/account/passkeys"]');
        const bytes = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')),
            c => c.charCodeAt(0));
        const text = b => btoa(String.fromCharCode(...new Uint8Array(b)))
            .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
        document.getElementById('add-passkey').addEventListener('click', async () => {
          const body = new URLSearchParams({csrf: form.csrf.value});
          const o = await (await fetch('/account/passkeys/options', {method: 'POST', body})).json();
          o.challenge = bytes(o.challenge);
          o.user.id = bytes(o.user.id);
          o.excludeCredentials = o.excludeCredentials.map(c => ({type: c.type, id: bytes(c.id)}));
          const c = await navigator.credentials.create({publicKey: o});
          form.challenge.value = text(o.challenge);
          form.attestation_object.value = text(c.response.attestationObject);
          form.client_data_json.value = text(c.response.clientDataJSON);
          form.submit();
        });
      })();
      """;

  static boolean csrfMatches(BrowserSignIn.Current current, Optional<String> token) {
    return token.isPresent()
        && Tokens.sameHash(BrowserSignIn.csrfFor(current.cookieValue()), token.get());
  }

  private static void notSignedIn(ServerResponse res) {
    Html.error(
        res,
        Status.UNAUTHORIZED_401,
        "Not signed in",
        "Sign in at an application first, then come back to this page.");
  }
}
