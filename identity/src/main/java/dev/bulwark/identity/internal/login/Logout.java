package dev.bulwark.identity.internal.login;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.internal.ClientStore;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.identity.internal.SigningKeyRing;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–§3). With a valid {@code
 * id_token_hint} for the browser's own user the session ends at once; otherwise the user confirms
 * with a CSRF-protected form. The browser goes back to {@code post_logout_redirect_uri} only when
 * it exactly equals one registered for the client the hint (or {@code client_id}) names.
 */
public final class Logout {
  private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

  private final BrowserSignIn signIn;
  private final ClientStore clients;
  private final SessionStore sessions;
  private final SigningKeyRing keys;
  private final Supplier<String> issuer;
  private final AuditSink audit;

  public Logout(
      BrowserSignIn signIn,
      ClientStore clients,
      SessionStore sessions,
      SigningKeyRing keys,
      Supplier<String> issuer,
      AuditSink audit) {
    this.signIn = signIn;
    this.clients = clients;
    this.sessions = sessions;
    this.keys = keys;
    this.issuer = issuer;
    this.audit = audit;
  }

  /** Adds {@code /logout}. */
  public void routes(HttpRules rules) {
    rules.get("/logout", this::handle).post("/logout", this::handle);
  }

  private void handle(ServerRequest req, ServerResponse res) {
    boolean post = req.prologue().method().equals(Method.POST);
    Optional<BrowserForm> parsed =
        post
            ? BrowserSignIn.formBody(req, res)
            : Optional.of(BrowserForm.parse(req.query().rawValue()));
    if (parsed.isEmpty()) {
      return;
    }
    BrowserForm form = parsed.get();
    if (form.malformed().isPresent() || form.firstRepeated(List.of()).isPresent()) {
      Html.error(res, Status.BAD_REQUEST_400, "Sign-out request not valid", "Malformed request.");
      return;
    }
    Optional<JWTClaimsSet> verified = form.first("id_token_hint").flatMap(this::verifiedHint);
    Optional<String> givenClient = form.first("client_id");
    // §2: a client_id that contradicts the hint is an error; trust neither.
    boolean contradicts =
        verified.isPresent()
            && givenClient.isPresent()
            && !verified.get().getAudience().contains(givenClient.get());
    Optional<JWTClaimsSet> hint = contradicts ? Optional.empty() : verified;
    Optional<String> clientId = contradicts ? Optional.empty() : givenClient;
    Optional<String> client =
        clientId.or(
            () -> hint.filter(h -> h.getAudience().size() == 1).map(h -> h.getAudience().get(0)));
    Optional<URI> returnTo =
        client
            .flatMap(clients::registration)
            .flatMap(c -> postLogoutUri(c, form.first("post_logout_redirect_uri")));
    Optional<BrowserSignIn.Current> current = signIn.currentSession(req);
    boolean hintMatchesSession =
        hint.isPresent()
            && current.isPresent()
            && current.get().session().userId().equals(hint.get().getSubject());
    boolean confirmed =
        post
            && current.isPresent()
            && form.first("confirm").isPresent()
            && AccountPages.csrfMatches(current.get(), form.first("csrf"));
    if (post && current.isPresent() && form.first("confirm").isPresent() && !confirmed) {
      audit.emit(
          signIn
              .event(req, "session.end", AuditEvent.Outcome.FAILURE)
              .subject(current.get().session().userId())
              .reason("CSRF token missing or wrong")
              .build());
      Html.error(res, Status.FORBIDDEN_403, "Request refused", "The form did not come from here.");
      return;
    }
    if (current.isPresent() && !hintMatchesSession && !confirmed) {
      confirmationPage(res, current.get(), form, returnTo);
      return;
    }
    if (current.isPresent()) {
      sessions.revoke(current.get().session().sessionId());
      audit.emit(
          signIn
              .event(req, "session.end", AuditEvent.Outcome.SUCCESS)
              .subject(current.get().session().userId())
              .clientId(client.orElse("-"))
              .reason(hintMatchesSession ? "RP-initiated logout" : "logout confirmed by the user")
              .attribute("sid", current.get().session().sessionId())
              .build());
    }
    res.header(
        HeaderValues.create(
            HeaderNames.SET_COOKIE,
            BrowserSignIn.SESSION_COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"));
    if (returnTo.isPresent()) {
      Map<String, String> parameters = new LinkedHashMap<>();
      form.first("state").ifPresent(s -> parameters.put("state", s));
      BrowserSignIn.redirect(res, returnTo.get(), parameters, post);
      return;
    }
    Html.send(res, Status.OK_200, "Signed out", "<p>You are signed out.</p>", List.of());
  }

  private void confirmationPage(
      ServerResponse res, BrowserSignIn.Current current, BrowserForm form, Optional<URI> returnTo) {
    StringBuilder fields = new StringBuilder();
    fields.append(Html.hidden("csrf", BrowserSignIn.csrfFor(current.cookieValue())));
    fields.append(Html.hidden("confirm", "yes"));
    for (String name : List.of("client_id", "post_logout_redirect_uri", "state")) {
      form.first(name).ifPresent(v -> fields.append(Html.hidden(name, v)));
    }
    Html.send(
        res,
        Status.OK_200,
        "Sign out?",
        "<form method=\"post\" action=\"/logout\">"
            + fields
            + "<p>Do you want to sign out?</p><button type=\"submit\">Sign out</button></form>",
        returnTo.map(u -> List.of(BrowserSignIn.origin(u))).orElse(List.of()));
  }

  private static Optional<URI> postLogoutUri(ClientRegistration client, Optional<String> given) {
    return given.flatMap(
        g ->
            client.postLogoutRedirectUris().stream()
                .filter(registered -> registered.toString().equals(g))
                .findFirst());
  }

  // §2: the hint's signature and issuer must check out; an expired ID token is acceptable.
  private Optional<JWTClaimsSet> verifiedHint(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (AT_JWT.equals(jwt.getHeader().getType())) {
        return Optional.empty();
      }
      if (!keys.verifies(jwt)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!issuer.get().equals(claims.getIssuer())
          || claims.getSubject() == null
          || claims.getAudience().isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(claims);
    } catch (ParseException e) {
      return Optional.empty();
    }
  }
}
