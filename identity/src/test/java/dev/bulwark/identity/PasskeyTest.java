package dev.bulwark.identity;

import static dev.bulwark.identity.TestBrowser.authorizeParameters;
import static dev.bulwark.identity.TestBrowser.redirectParameters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.internal.AuthorizationCodeStore;
import dev.bulwark.identity.internal.CodeGrant;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** WebAuthn passkeys: registration and use as a second factor, verified by webauthn4j. */
class PasskeyTest {
  private static final String PASSWORD = BrowserSignInTest.PASSWORD;

  @TempDir Path dir;
  private final CertificateAuthority authority = TestIdentityProvider.authority();
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
  private TestIdentityProvider idp;
  private TestBrowser browser;
  private UserAccount alice;
  private final TestAuthenticator authenticator = new TestAuthenticator();

  @BeforeEach
  void start() throws IOException {
    idp = TestIdentityProvider.start(dir, authority, masterKey);
    idp.provider.registerClientWithoutSecret(TestBrowser.webApp("webapp").build());
    alice = idp.provider.createUser("alice", "Alice", Optional.empty(), PASSWORD);
    browser = new TestBrowser(idp);
    browser.signIn("webapp", "alice", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private String origin() {
    return idp.provider.issuer();
  }

  private static JsonNode json(HttpResponse<String> response) {
    return Json.MAPPER.readTree(response.body());
  }

  private HttpResponse<String> register(TestAuthenticator device, String origin) {
    HttpResponse<String> page = browser.get("/account/passkeys");
    JsonNode options =
        json(
            browser.post(
                "/account/passkeys/options",
                TestBrowser.hiddenFields(page.body(), "/account/passkeys")));
    return browser.submit(page, "/account/passkeys", device.register(options, origin));
  }

  // Password, then the passkey step's page and its options.
  private record PasskeyStep(TestBrowser browser, HttpResponse<String> page, JsonNode options) {}

  private PasskeyStep passkeyStep() {
    TestBrowser other = new TestBrowser(idp);
    HttpResponse<String> login =
        other.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    HttpResponse<String> page =
        other.submit(login, "/login", Map.of("username", "alice", "password", PASSWORD));
    assertThat(page.body()).contains("action=\"/login/webauthn\"");
    JsonNode options =
        json(
            other.post(
                "/login/webauthn/options",
                TestBrowser.hiddenFields(page.body(), "/login/webauthn")));
    return new PasskeyStep(other, page, options);
  }

  private CodeGrant redeem(HttpResponse<String> response) {
    AuthorizationCodeStore.Redemption redemption =
        idp.provider.internals().codes().redeem(redirectParameters(response).get("code"), "webapp");
    return ((AuthorizationCodeStore.Redemption.Redeemed) redemption).grant();
  }

  @Test
  void registeredPasskeyServesAsTheSecondFactor() {
    HttpResponse<String> registered = register(authenticator, origin());
    assertThat(registered.statusCode()).isEqualTo(200);
    assertThat(idp.provider.mfaStatus(alice.userId()).orElseThrow().passkeys()).isEqualTo(1);

    PasskeyStep step = passkeyStep();
    assertThat(step.options().path("rpId").asString())
        .isEqualTo(java.net.URI.create(origin()).getHost());
    HttpResponse<String> done =
        step.browser()
            .submit(
                step.page(), "/login/webauthn", authenticator.assertion(step.options(), origin()));

    assertThat(done.statusCode()).isEqualTo(303);
    CodeGrant grant = redeem(done);
    assertThat(grant.amr()).containsExactly("pwd", "hwk", "user");
    assertThat(grant.acr()).isEqualTo(UserSession.ACR_MFA);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().startsWith("mfa.webauthn."))
        .extracting(AuditEvent::action, AuditEvent::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "mfa.webauthn.register", AuditEvent.Outcome.SUCCESS),
            org.assertj.core.groups.Tuple.tuple("mfa.webauthn.verify", AuditEvent.Outcome.SUCCESS));
  }

  @Test
  void signatureCounterThatDoesNotGrowIsRefused() {
    register(authenticator, origin());
    PasskeyStep first = passkeyStep();
    first
        .browser()
        .submit(
            first.page(), "/login/webauthn", authenticator.assertion(first.options(), origin()));

    authenticator.signCount = 0; // a clone still at the old count
    PasskeyStep second = passkeyStep();
    HttpResponse<String> cloned =
        second
            .browser()
            .submit(
                second.page(),
                "/login/webauthn",
                authenticator.assertion(second.options(), origin()));

    assertThat(cloned.statusCode()).isEqualTo(401);
    assertThat(cloned.headers().firstValue("Location")).isEmpty();
    assertThat(lastWebAuthnFailure()).contains("MaliciousCounterValue");
  }

  @Test
  void challengeIsUsedOnce() {
    register(authenticator, origin());
    PasskeyStep first = passkeyStep();
    Map<String, String> assertion = authenticator.assertion(first.options(), origin());
    first.browser().submit(first.page(), "/login/webauthn", assertion);

    PasskeyStep second = passkeyStep();
    Map<String, String> replayed = new LinkedHashMap<>(assertion);
    HttpResponse<String> response =
        second.browser().submit(second.page(), "/login/webauthn", replayed);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(lastWebAuthnFailure()).contains("challenge");
  }

  private String lastWebAuthnFailure() {
    return idp.audited.stream()
        .filter(
            e ->
                e.action().equals("mfa.webauthn.verify")
                    && e.outcome() == AuditEvent.Outcome.FAILURE)
        .reduce((a, b) -> b)
        .flatMap(AuditEvent::reason)
        .orElse("");
  }

  @Test
  void assertionSignedByAnotherKeyIsRefused() {
    register(authenticator, origin());
    PasskeyStep step = passkeyStep();

    HttpResponse<String> response =
        step.browser()
            .submit(
                step.page(),
                "/login/webauthn",
                authenticator.impostor().assertion(step.options(), origin()));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("mfa.webauthn.verify"))
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.FAILURE);
  }

  @Test
  void registrationFromAnotherOriginIsRefused() {
    HttpResponse<String> response = register(authenticator, "https://evil.example");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(idp.provider.mfaStatus(alice.userId()).orElseThrow().passkeys()).isZero();
  }

  @Test
  void registrationWithoutTheCsrfTokenIsRefused() {
    HttpResponse<String> options = browser.post("/account/passkeys/options", Map.of());

    assertThat(options.statusCode()).isEqualTo(403);
  }

  @Test
  void resetMfaRemovesPasskeys() {
    register(authenticator, origin());

    idp.provider.resetMfa(alice.userId());

    assertThat(idp.provider.mfaStatus(alice.userId())).hasValue(new MfaStatus(false, 0, 0));
  }

  @Test
  void malformedResponsesAreRefusedNotErrors() {
    HttpResponse<String> page = browser.get("/account/passkeys");
    JsonNode options =
        json(
            browser.post(
                "/account/passkeys/options",
                TestBrowser.hiddenFields(page.body(), "/account/passkeys")));
    Map<String, String> garbage = new LinkedHashMap<>(authenticator.register(options, origin()));
    garbage.put("attestation_object", "AAAA");
    HttpResponse<String> badRegistration = browser.submit(page, "/account/passkeys", garbage);
    assertThat(badRegistration.statusCode()).isEqualTo(400);

    register(authenticator, origin());
    PasskeyStep step = passkeyStep();
    Map<String, String> badAssertion =
        new LinkedHashMap<>(authenticator.assertion(step.options(), origin()));
    badAssertion.put("authenticator_data", "not base64url!");
    HttpResponse<String> refused =
        step.browser().submit(step.page(), "/login/webauthn", badAssertion);
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  private HttpResponse<String> passwordless(TestBrowser other, TestAuthenticator device) {
    HttpResponse<String> page =
        other.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    JsonNode options =
        json(
            other.post(
                "/login/passkey/options", TestBrowser.hiddenFields(page.body(), "/login/passkey")));
    assertThat(options.path("allowCredentials").size()).isZero();
    return other.submit(page, "/login/passkey", device.assertion(options, origin()));
  }

  @Test
  void passkeySignsInWithoutAPassword() {
    register(authenticator, origin());

    HttpResponse<String> done = passwordless(new TestBrowser(idp), authenticator);

    assertThat(done.statusCode()).isEqualTo(303);
    CodeGrant grant = redeem(done);
    assertThat(grant.userId()).isEqualTo(alice.userId());
    assertThat(grant.amr()).containsExactly("hwk", "user");
    assertThat(grant.acr()).isEqualTo(UserSession.ACR_MFA);
  }

  @Test
  void passwordlessRefusesUnknownPasskeysAndDisabledUsers() {
    HttpResponse<String> unknown = passwordless(new TestBrowser(idp), new TestAuthenticator());
    register(authenticator, origin());
    idp.provider.internals().users().setEnabled(alice.userId(), false);
    HttpResponse<String> disabled = passwordless(new TestBrowser(idp), authenticator);

    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(disabled.statusCode()).isEqualTo(401);
    assertThat(disabled.headers().firstValue("Location")).isEmpty();
  }
}
