package dev.bulwark.identity;

import static dev.bulwark.identity.TestBrowser.APP_CALLBACK;
import static dev.bulwark.identity.TestBrowser.authorizeParameters;
import static dev.bulwark.identity.TestBrowser.redirectParameters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.internal.AuthorizationCodeStore;
import dev.bulwark.identity.internal.CodeGrant;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrowserSignInTest {
  static final String PASSWORD = "correct horse battery staple";

  @TempDir Path dir;
  private final CertificateAuthority authority = TestIdentityProvider.authority();
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
  private TestIdentityProvider idp;
  private TestBrowser browser;
  private UserAccount alice;

  @BeforeEach
  void start() throws IOException {
    idp = TestIdentityProvider.start(dir, authority, masterKey);
    idp.provider.registerClientWithoutSecret(TestBrowser.webApp("webapp").build());
    alice = idp.provider.createUser("alice", "Alice", Optional.empty(), PASSWORD);
    browser = new TestBrowser(idp);
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private CodeGrant redeem(String code, String clientId) {
    AuthorizationCodeStore.Redemption redemption =
        idp.provider.internals().codes().redeem(code, clientId);
    assertThat(redemption).isInstanceOf(AuthorizationCodeStore.Redemption.Redeemed.class);
    return ((AuthorizationCodeStore.Redemption.Redeemed) redemption).grant();
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> copy = new LinkedHashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        copy.remove(pairs[i]);
      } else {
        copy.put(pairs[i], pairs[i + 1]);
      }
    }
    return copy;
  }

  @Test
  void passwordSignInIssuesCodeWithPwdAmrAndTheRequestsDetails() {
    TestBrowser.Pkce pkce = TestBrowser.Pkce.create();
    Map<String, String> request = authorizeParameters("webapp", pkce);
    HttpResponse<String> page = browser.authorize(request);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Web App webapp");

    HttpResponse<String> done =
        browser.submit(page, "/login", Map.of("username", "alice", "password", PASSWORD));

    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location").orElseThrow()).startsWith(APP_CALLBACK + "?");
    Map<String, String> response = redirectParameters(done);
    assertThat(response.get("state")).isEqualTo(request.get("state"));
    assertThat(response.get("iss")).isEqualTo(idp.provider.issuer());
    CodeGrant grant = redeem(response.get("code"), "webapp");
    assertThat(grant.userId()).isEqualTo(alice.userId());
    assertThat(grant.amr()).containsExactly("pwd");
    assertThat(grant.acr()).isEqualTo(UserSession.ACR_PASSWORD);
    assertThat(grant.nonce()).contains(request.get("nonce"));
    assertThat(grant.codeChallenge()).isEqualTo(pkce.challenge());
    assertThat(grant.redirectUri()).isEqualTo(APP_CALLBACK);
    assertThat(grant.scopes()).containsExactlyInAnyOrder("openid", "payments:read");
    assertThat(grant.audiences()).containsExactly(TestIdentityProvider.PAYMENTS);
    assertThat(idp.audited)
        .extracting(AuditEvent::action)
        .contains("user.login", "session.start", "authorize");
  }

  @Test
  void sessionCookieIsHostPrefixedSecureHttpOnlyLax() {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    HttpResponse<String> done =
        browser.submit(page, "/login", Map.of("username", "alice", "password", PASSWORD));

    String cookie = done.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("__Host-bulwark_session=");
    assertThat(cookie).contains("; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax");
    assertThat(cookie).doesNotContain("Domain=");
  }

  @Test
  void pagesForbidFramingCachingAndForeignScripts() {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));

    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains(
            "default-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self' https://app.example");
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
  }

  @Test
  void signedInBrowserGetsCodeWithoutSigningInAgain() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());

    HttpResponse<String> again =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));

    assertThat(again.statusCode()).isEqualTo(302);
    assertThat(redirectParameters(again)).containsKey("code");
  }

  @Test
  void promptNoneWithoutSessionRedirectsLoginRequired() {
    Map<String, String> request =
        with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "prompt", "none");

    HttpResponse<String> response = browser.authorize(request);

    assertThat(response.statusCode()).isEqualTo(302);
    Map<String, String> error = redirectParameters(response);
    assertThat(error.get("error")).isEqualTo("login_required");
    assertThat(error.get("state")).isEqualTo(request.get("state"));
    assertThat(error.get("iss")).isEqualTo(idp.provider.issuer());
  }

  @Test
  void promptLoginAsksForThePasswordDespiteASession() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());

    HttpResponse<String> page =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "prompt", "login"));

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/login\"");
  }

  @Test
  void maxAgeForcesSignInWhenAuthenticationIsOlder() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    idp.clock.advance(Duration.ofSeconds(120));

    HttpResponse<String> stale =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "max_age", "60"));
    HttpResponse<String> zero =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "max_age", "0"));
    HttpResponse<String> fresh =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "max_age", "3600"));

    assertThat(stale.body()).contains("action=\"/login\"");
    assertThat(zero.body()).contains("action=\"/login\"");
    assertThat(fresh.statusCode()).isEqualTo(302);
    assertThat(redirectParameters(fresh)).containsKey("code");
  }

  @Test
  void totpSignInGivesPwdOtpAndMfaLevel() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    assertThat(enrolled.recoveryCodes()).hasSize(10);
    assertThat(idp.provider.mfaStatus(alice.userId())).hasValue(new MfaStatus(true, 10, 0));

    TestBrowser fresh = new TestBrowser(idp);
    String code =
        fresh.signIn(
            "webapp", "alice", PASSWORD, Optional.of(enrolled.seed()), TestBrowser.Pkce.create());

    CodeGrant grant = redeem(code, "webapp");
    assertThat(grant.amr()).containsExactly("pwd", "otp");
    assertThat(grant.acr()).isEqualTo(UserSession.ACR_MFA);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("mfa.totp.verify"))
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.SUCCESS);
  }

  private HttpResponse<String> passwordStep(TestBrowser someone) {
    HttpResponse<String> page =
        someone.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    return someone.submit(page, "/login", Map.of("username", "alice", "password", PASSWORD));
  }

  @Test
  void totpCodeIsRefusedTheSecondTime() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    idp.clock.advance(Duration.ofSeconds(30));
    String code = TestBrowser.totp(enrolled.seed(), idp.clock.instant());

    TestBrowser first = new TestBrowser(idp);
    HttpResponse<String> accepted =
        first.submit(passwordStep(first), "/login/mfa", Map.of("totp", code));
    TestBrowser second = new TestBrowser(idp);
    HttpResponse<String> replayed =
        second.submit(passwordStep(second), "/login/mfa", Map.of("totp", code));

    assertThat(accepted.statusCode()).isEqualTo(303);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(replayed.body()).contains("wrong or was already used");
    assertThat(second.sessionCookie()).isEmpty();
  }

  @Test
  void wrongTotpCodeIsRefused() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    String right = TestBrowser.totp(enrolled.seed(), idp.clock.instant().plusSeconds(300));

    TestBrowser other = new TestBrowser(idp);
    HttpResponse<String> refused =
        other.submit(passwordStep(other), "/login/mfa", Map.of("totp", right));

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("mfa.totp.verify"))
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.FAILURE);
  }

  @Test
  void recoveryCodeWorksOnceOnly() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    String recovery = enrolled.recoveryCodes().get(3).toLowerCase(java.util.Locale.ROOT);

    TestBrowser first = new TestBrowser(idp);
    HttpResponse<String> used =
        first.submit(passwordStep(first), "/login/mfa", Map.of("recovery_code", recovery));
    TestBrowser second = new TestBrowser(idp);
    HttpResponse<String> reused =
        second.submit(passwordStep(second), "/login/mfa", Map.of("recovery_code", recovery));

    assertThat(used.statusCode()).isEqualTo(303);
    CodeGrant grant = redeem(redirectParameters(used).get("code"), "webapp");
    assertThat(grant.amr()).containsExactly("pwd", "otp");
    assertThat(reused.statusCode()).isEqualTo(401);
    assertThat(idp.provider.mfaStatus(alice.userId()).orElseThrow().recoveryCodesLeft())
        .isEqualTo(9);
    assertThat(idp.audited).extracting(AuditEvent::action).contains("mfa.recovery.use");
  }

  @Test
  void acrValuesMfaStepsUpWithTheSecondFactorOnly() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    String sid = idp.provider.internals().sessions().forUser(alice.userId()).get(0).sessionId();

    HttpResponse<String> page =
        browser.authorize(
            with(
                authorizeParameters("webapp", TestBrowser.Pkce.create()),
                "acr_values",
                "urn:example:unknown " + UserSession.ACR_MFA));
    assertThat(page.body()).contains("action=\"/login/mfa\"").doesNotContain("action=\"/login\"");
    idp.clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> done =
        browser.submit(
            page,
            "/login/mfa",
            Map.of("totp", TestBrowser.totp(enrolled.seed(), idp.clock.instant())));

    CodeGrant grant = redeem(redirectParameters(done).get("code"), "webapp");
    assertThat(grant.sessionId()).isEqualTo(sid);
    assertThat(grant.amr()).containsExactly("pwd", "otp");
    assertThat(grant.acr()).isEqualTo(UserSession.ACR_MFA);
  }

  @Test
  void promptNoneRefusesAStepUp() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());

    HttpResponse<String> response =
        browser.authorize(
            with(
                authorizeParameters("webapp", TestBrowser.Pkce.create()),
                "prompt",
                "none",
                "acr_values",
                UserSession.ACR_MFA));

    assertThat(redirectParameters(response).get("error")).isEqualTo("interaction_required");
  }

  @Test
  void clientRequiringMfaRefusesAUserWithoutASecondFactor() {
    idp.provider.registerClientWithoutSecret(TestBrowser.webApp("strict").requireMfa(true).build());

    HttpResponse<String> page =
        browser.authorize(authorizeParameters("strict", TestBrowser.Pkce.create()));
    HttpResponse<String> done =
        browser.submit(page, "/login", Map.of("username", "alice", "password", PASSWORD));

    assertThat(done.statusCode()).isEqualTo(403);
    assertThat(done.headers().firstValue("Location")).isEmpty();
    assertThat(done.body()).contains("/account/mfa");
  }

  @Test
  void clientRequiringMfaGetsPwdOtp() {
    idp.provider.registerClientWithoutSecret(TestBrowser.webApp("strict").requireMfa(true).build());
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();

    String code =
        new TestBrowser(idp)
            .signIn(
                "strict",
                "alice",
                PASSWORD,
                Optional.of(enrolled.seed()),
                TestBrowser.Pkce.create());

    assertThat(redeem(code, "strict").acr()).isEqualTo(UserSession.ACR_MFA);
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing", "plain", "no-method", "short", "bad-chars"})
  void pkceOtherThanS256IsRefusedByRedirect(String variant) {
    TestBrowser.Pkce pkce = TestBrowser.Pkce.create();
    Map<String, String> request =
        switch (variant) {
          case "missing" -> with(authorizeParameters("webapp", pkce), "code_challenge", null);
          case "plain" ->
              with(authorizeParameters("webapp", pkce), "code_challenge_method", "plain");
          case "no-method" ->
              with(authorizeParameters("webapp", pkce), "code_challenge_method", null);
          case "short" ->
              with(
                  authorizeParameters("webapp", pkce),
                  "code_challenge",
                  pkce.challenge().substring(1));
          default ->
              with(
                  authorizeParameters("webapp", pkce),
                  "code_challenge",
                  "+" + pkce.challenge().substring(1));
        };

    HttpResponse<String> response = browser.authorize(request);

    assertThat(response.statusCode()).isEqualTo(302);
    Map<String, String> error = redirectParameters(response);
    assertThat(error.get("error")).isEqualTo("invalid_request");
    assertThat(error.get("state")).isEqualTo(request.get("state"));
    assertThat(error.get("iss")).isEqualTo(idp.provider.issuer());
    assertThat(error).doesNotContainKey("code");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://app.example/callbac",
        "https://app.example/callback/extra",
        "https://app.example:8443/callback",
        "https://app.example/callback?x=1",
        "http://app.example/callback",
        "https://APP.example/callback",
        "https://evil.example/callback",
        "https://app.example/callback#x"
      })
  void tamperedRedirectUriGetsAnErrorPageAndNoRedirect(String redirectUri) {
    HttpResponse<String> response =
        browser.authorize(
            with(
                authorizeParameters("webapp", TestBrowser.Pkce.create()),
                "redirect_uri",
                redirectUri));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Location")).isEmpty();
    assertThat(response.body()).contains("redirect_uri is not one registered");
  }

  @Test
  void unknownClientGetsAnErrorPageAndNoRedirect() {
    HttpResponse<String> unknown =
        browser.authorize(authorizeParameters("nobody", TestBrowser.Pkce.create()));
    HttpResponse<String> noCodeGrant =
        browser.authorize(authorizeParameters("shop", TestBrowser.Pkce.create()));
    HttpResponse<String> missing =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "client_id", null));

    for (HttpResponse<String> response : List.of(unknown, noCodeGrant, missing)) {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.headers().firstValue("Location")).isEmpty();
    }
  }

  @Test
  void redirectUriMayBeLeftOutOnlyWhenOneIsRegistered() {
    idp.provider.registerClientWithoutSecret(
        TestBrowser.webApp("twouris")
            .redirectUris(APP_CALLBACK, java.net.URI.create("https://app.example/other"))
            .build());

    HttpResponse<String> single =
        browser.authorize(
            with(authorizeParameters("webapp", TestBrowser.Pkce.create()), "redirect_uri", null));
    HttpResponse<String> ambiguous =
        browser.authorize(
            with(authorizeParameters("twouris", TestBrowser.Pkce.create()), "redirect_uri", null));

    assertThat(single.statusCode()).isEqualTo(200);
    assertThat(ambiguous.statusCode()).isEqualTo(400);
    assertThat(ambiguous.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void otherBadParametersAreReturnedByRedirect() {
    Map<String, String> base = authorizeParameters("webapp", TestBrowser.Pkce.create());

    assertThat(
            redirectParameters(browser.authorize(with(base, "response_type", "token")))
                .get("error"))
        .isEqualTo("unsupported_response_type");
    assertThat(
            redirectParameters(browser.authorize(with(base, "scope", "openid admin"))).get("error"))
        .isEqualTo("invalid_scope");
    assertThat(
            redirectParameters(browser.authorize(with(base, "resource", "urn:bulwark:elsewhere")))
                .get("error"))
        .isEqualTo("invalid_target");
    assertThat(
            redirectParameters(browser.authorize(with(base, "prompt", "none login"))).get("error"))
        .isEqualTo("invalid_request");
    assertThat(redirectParameters(browser.authorize(with(base, "max_age", "-1"))).get("error"))
        .isEqualTo("invalid_request");
  }

  @Test
  void postedAuthorizationRequestWorksLikeGet() {
    HttpResponse<String> page =
        browser.post("/authorize", authorizeParameters("webapp", TestBrowser.Pkce.create()));

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/login\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing", "wrong"})
  void loginFormWithoutTheRightCsrfTokenIsRefused(String variant) {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    Map<String, String> form = new LinkedHashMap<>(TestBrowser.hiddenFields(page.body(), "/login"));
    if (variant.equals("missing")) {
      form.remove("csrf");
    } else {
      form.put("csrf", form.get("csrf").substring(1) + "A");
    }
    form.put("username", "alice");
    form.put("password", PASSWORD);

    HttpResponse<String> refused = browser.post("/login", form);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Location")).isEmpty();
    assertThat(browser.sessionCookie()).isEmpty();
  }

  @Test
  void signInFormCannotBeSubmittedTwice() {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    Map<String, String> fields = Map.of("username", "alice", "password", PASSWORD);
    HttpResponse<String> first = browser.submit(page, "/login", fields);

    HttpResponse<String> second = browser.submit(page, "/login", fields);

    assertThat(first.statusCode()).isEqualTo(303);
    assertThat(second.statusCode()).isEqualTo(400);
    assertThat(second.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void accountPageNeedsASessionAndACsrfToken() {
    assertThat(browser.get("/account/mfa").statusCode()).isEqualTo(401);
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    HttpResponse<String> page = browser.get("/account/mfa");
    assertThat(page.body()).contains("<svg");

    HttpResponse<String> forged = browser.post("/account/mfa", Map.of("code", "123456"));

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(idp.provider.mfaStatus(alice.userId()).orElseThrow().totp()).isFalse();
  }

  @Test
  void resetMfaRemovesTheSecondFactorsAndEndsSessions() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    browser.enrollTotp();

    idp.provider.resetMfa(alice.userId());

    assertThat(idp.provider.mfaStatus(alice.userId())).hasValue(new MfaStatus(false, 0, 0));
    assertThat(
            redirectParameters(
                    browser.authorize(
                        with(
                            authorizeParameters("webapp", TestBrowser.Pkce.create()),
                            "prompt",
                            "none")))
                .get("error"))
        .isEqualTo("login_required");
  }

  @Test
  void secondFactorFormWithoutTheRightCsrfTokenIsRefused() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    TestBrowser.Enrolled enrolled = browser.enrollTotp();
    TestBrowser other = new TestBrowser(idp);
    HttpResponse<String> page = passwordStep(other);
    Map<String, String> form =
        new LinkedHashMap<>(TestBrowser.hiddenFields(page.body(), "/login/mfa"));
    form.put("csrf", "forged");
    idp.clock.advance(Duration.ofSeconds(30));
    form.put("totp", TestBrowser.totp(enrolled.seed(), idp.clock.instant()));

    HttpResponse<String> refused = other.post("/login/mfa", form);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(other.sessionCookie()).isEmpty();
  }

  @Test
  void signInPageExpiresAfterTenMinutes() {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    idp.clock.advance(Duration.ofMinutes(11));

    HttpResponse<String> late =
        browser.submit(page, "/login", Map.of("username", "alice", "password", PASSWORD));

    assertThat(late.statusCode()).isEqualTo(400);
    assertThat(late.body()).contains("expired");
    assertThat(browser.sessionCookie()).isEmpty();
  }

  @Test
  void clientDisplayNameIsEscaped() {
    idp.provider.registerClientWithoutSecret(
        ClientRegistration.builder("evilapp", "<script>alert(1)</script>")
            .grantTypes(ClientRegistration.AUTHORIZATION_CODE)
            .authMethod(ClientRegistration.ClientAuthMethod.NONE)
            .redirectUris(APP_CALLBACK)
            .scopes(java.util.Set.of("payments:read"))
            .audiences(java.util.Set.of(TestIdentityProvider.PAYMENTS))
            .build());

    HttpResponse<String> page =
        browser.authorize(authorizeParameters("evilapp", TestBrowser.Pkce.create()));

    assertThat(page.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    assertThat(page.body()).doesNotContain("<script>alert(1)");
  }

  @Test
  void disabledUsersSessionNoLongerSignsIn() {
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());

    idp.provider.internals().users().setEnabled(alice.userId(), false);

    assertThat(
            redirectParameters(
                    browser.authorize(
                        with(
                            authorizeParameters("webapp", TestBrowser.Pkce.create()),
                            "prompt",
                            "none")))
                .get("error"))
        .isEqualTo("login_required");
  }
}
