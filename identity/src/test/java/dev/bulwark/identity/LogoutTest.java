package dev.bulwark.identity;

import static dev.bulwark.identity.TestBrowser.APP_LOGGED_OUT;
import static dev.bulwark.identity.TestBrowser.authorizeParameters;
import static dev.bulwark.identity.TestBrowser.redirectParameters;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.MasterKey;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). */
class LogoutTest {
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
    alice = idp.provider.createUser("alice", "Alice", Optional.empty(), BrowserSignInTest.PASSWORD);
    idp.provider.createUser("bob", "Bob", Optional.empty(), BrowserSignInTest.PASSWORD);
    browser = new TestBrowser(idp);
    browser.signIn(
        "webapp", "alice", BrowserSignInTest.PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
  }

  @AfterEach
  void stop() {
    idp.close();
  }

  private JWTClaimsSet claims(String subject) {
    Instant issued = Instant.now().minusSeconds(3600);
    return new JWTClaimsSet.Builder()
        .issuer(idp.provider.issuer())
        .subject(subject)
        .audience("webapp")
        .issueTime(Date.from(issued))
        // Expired an hour later: an expired ID token is still a good hint (§2).
        .expirationTime(Date.from(issued.plusSeconds(300)))
        .build();
  }

  private String idToken(String subject) {
    return idp.provider
        .internals()
        .keys()
        .sign(JWSAlgorithm.ES256, JOSEObjectType.JWT, claims(subject))
        .serialize();
  }

  private boolean signedIn() {
    Map<String, String> request =
        new LinkedHashMap<>(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    request.put("prompt", "none");
    return redirectParameters(browser.authorize(request)).containsKey("code");
  }

  private HttpResponse<String> logout(Map<String, String> parameters) {
    return browser.get("/logout?" + TestBrowser.encode(parameters));
  }

  @Test
  void validHintAndRegisteredUriEndTheSessionAndRedirectWithState() {
    HttpResponse<String> response =
        logout(
            Map.of(
                "id_token_hint", idToken(alice.userId()),
                "post_logout_redirect_uri", APP_LOGGED_OUT.toString(),
                "state", "bye-123"));

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(response.headers().firstValue("Location"))
        .hasValue(APP_LOGGED_OUT + "?state=bye-123");
    assertThat(response.headers().firstValue("Set-Cookie").orElseThrow())
        .startsWith("__Host-bulwark_session=;")
        .contains("Max-Age=0");
    assertThat(signedIn()).isFalse();
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("session.end"))
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.SUCCESS);
  }

  @Test
  void unregisteredPostLogoutUriIsNotFollowed() {
    HttpResponse<String> response =
        logout(
            Map.of(
                "id_token_hint",
                idToken(alice.userId()),
                "post_logout_redirect_uri",
                "https://app.example/logged-out/../evil"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Location")).isEmpty();
    assertThat(response.body()).contains("You are signed out");
    assertThat(signedIn()).isFalse();
  }

  @Test
  void withoutHintTheUserConfirmsWithACsrfProtectedForm() {
    HttpResponse<String> page =
        logout(
            Map.of("client_id", "webapp", "post_logout_redirect_uri", APP_LOGGED_OUT.toString()));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("action=\"/logout\"");
    assertThat(signedIn()).isTrue();

    Map<String, String> forged =
        new LinkedHashMap<>(TestBrowser.hiddenFields(page.body(), "/logout"));
    forged.put("csrf", "forged");
    HttpResponse<String> refused = browser.post("/logout", forged);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(signedIn()).isTrue();

    HttpResponse<String> confirmed = browser.submit(page, "/logout", Map.of());
    assertThat(confirmed.statusCode()).isEqualTo(303);
    assertThat(confirmed.headers().firstValue("Location")).hasValue(APP_LOGGED_OUT.toString());
    assertThat(signedIn()).isFalse();
  }

  @Test
  void hintSignedByAnotherKeyIsIgnored() throws JOSEException {
    ECKey foreign =
        new ECKeyGenerator(Curve.P_256).keyID(idp.provider.internals().keys().keyId()).generate();
    SignedJWT forged =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(foreign.getKeyID()).build(),
            claims(alice.userId()));
    forged.sign(new ECDSASigner(foreign));

    HttpResponse<String> response =
        logout(
            Map.of(
                "id_token_hint", forged.serialize(),
                "post_logout_redirect_uri", APP_LOGGED_OUT.toString()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("Do you want to sign out?");
    assertThat(signedIn()).isTrue();
  }

  @Test
  void hintForAnotherUserIsConfirmedFirst() {
    String bob = idp.provider.user("bob").orElseThrow().userId();

    HttpResponse<String> response = logout(Map.of("id_token_hint", idToken(bob)));

    assertThat(response.body()).contains("Do you want to sign out?");
    assertThat(signedIn()).isTrue();
  }
}
