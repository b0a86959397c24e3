package dev.bulwark.identity.internal.login;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.identity.internal.Tokens;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.identity.internal.mfa.QrCode;
import dev.bulwark.identity.internal.mfa.RecoveryCodes;
import dev.bulwark.identity.internal.mfa.TotpCredentials;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
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
  private final Supplier<String> issuer;
  private final AuditSink audit;

  public AccountPages(
      BrowserSignIn signIn,
      UserDirectory users,
      TotpCredentials totp,
      RecoveryCodes recoveryCodes,
      Supplier<String> issuer,
      AuditSink audit) {
    this.signIn = signIn;
    this.users = users;
    this.totp = totp;
    this.recoveryCodes = recoveryCodes;
    this.issuer = issuer;
    this.audit = audit;
  }

  /** Adds {@code /account/mfa}. */
  public void routes(HttpRules rules) {
    rules.get("/account/mfa", this::show).post("/account/mfa", this::confirm);
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
    enrollPage(res, Status.OK_200, current.get(), enrollment, false);
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
      ServerResponse res,
      Status status,
      BrowserSignIn.Current current,
      TotpCredentials.Enrollment enrollment,
      boolean failed) {
    Html.send(
        res,
        status,
        "Set up an authenticator app",
        (failed ? "<p class=\"error\">That code is wrong.</p>" : "")
            + "<p>Scan this code with your authenticator app:</p>"
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
