package dev.bulwark.identity;

import static dev.bulwark.identity.TestBrowser.authorizeParameters;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.MasterKey;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brute-force protection and the absence of user enumeration at the sign-in page. */
class SignInThrottleTest {
  private static final String PASSWORD = BrowserSignInTest.PASSWORD;

  @TempDir Path dir;
  private final CertificateAuthority authority = TestIdentityProvider.authority();
  private final MasterKey masterKey =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
  private TestIdentityProvider idp;
  private TestBrowser browser;
  private UserAccount alice;

  private void start(int lockoutThreshold) throws IOException {
    IdentitySettings d = IdentitySettings.defaults();
    idp =
        TestIdentityProvider.start(
            dir,
            authority,
            masterKey,
            new IdentitySettings(
                d.accessTokenTtl(),
                d.issuer(),
                d.refreshTokenTtl(),
                d.idTokenTtl(),
                d.sessionTtl(),
                d.signingKeyRotation(),
                lockoutThreshold,
                Duration.ofMinutes(15)));
    idp.provider.registerClientWithoutSecret(TestBrowser.webApp("webapp").build());
    alice = idp.provider.createUser("alice", "Alice", Optional.empty(), PASSWORD);
    idp.provider.createUser("bob", "Bob", Optional.empty(), PASSWORD);
    browser = new TestBrowser(idp);
  }

  @AfterEach
  void stop() {
    if (idp != null) {
      idp.close();
    }
  }

  private HttpResponse<String> attempt(String username, String password) {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    return browser.submit(page, "/login", Map.of("username", username, "password", password));
  }

  // The page minus what differs on every response anyway (request id, CSRF token, CSP nonce).
  private static String normalized(HttpResponse<String> response) {
    return response
        .body()
        .replaceAll("value=\"[^\"]*\"", "value=\"\"")
        .replaceAll("nonce=\"[^\"]*\"", "");
  }

  @Test
  void lockedAccountRefusesEvenTheRightPasswordUntilTheLockoutEnds() throws IOException {
    start(3);
    for (int i = 0; i < 3; i++) {
      assertThat(attempt("alice", "wrong password " + i).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> locked = attempt("alice", PASSWORD);
    assertThat(browser.sessionCookie()).isEmpty();
    idp.clock.advance(Duration.ofMinutes(16));
    HttpResponse<String> later = attempt("alice", PASSWORD);

    assertThat(locked.statusCode()).isEqualTo(401);
    assertThat(locked.body()).contains("the account is locked for a while");
    assertThat(later.statusCode()).isEqualTo(303);
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("user.lockout"))
        .extracting(AuditEvent::subject)
        .contains(Optional.of(alice.userId()));
  }

  @Test
  void sourceAddressIsLockedAcrossManyUsernames() throws IOException {
    start(3);
    for (String name : List.of("carol", "dave", "erin")) {
      assertThat(attempt(name, "guess " + name).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> refused = attempt("bob", PASSWORD);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(browser.sessionCookie()).isEmpty();
    assertThat(idp.audited)
        .filteredOn(e -> e.action().equals("user.lockout"))
        .extracting(AuditEvent::reason)
        .anyMatch(r -> r.orElse("").startsWith("source address"));
  }

  @Test
  void failuresBringGrowingDelays() throws IOException {
    start(10);
    for (int i = 0; i < 4; i++) {
      idp.clock.advance(Duration.ofMinutes(1));
      attempt("alice", "wrong password " + i);
    }

    // Four failures: the next attempt must wait 2^(4-3) = 2 s.
    HttpResponse<String> tooSoon = attempt("alice", PASSWORD);
    idp.clock.advance(Duration.ofSeconds(3));
    HttpResponse<String> afterTheDelay = attempt("alice", PASSWORD);

    assertThat(tooSoon.statusCode()).isEqualTo(401);
    assertThat(afterTheDelay.statusCode()).isEqualTo(303);
  }

  @Test
  void unknownUserWrongPasswordDisabledUserAndLockedAccountLookAlike() throws IOException {
    start(3);
    idp.provider
        .internals()
        .users()
        .setEnabled(idp.provider.user("bob").orElseThrow().userId(), false);

    HttpResponse<String> unknown = attempt("nobody", PASSWORD);
    HttpResponse<String> wrong = attempt("alice", "not alice's password");
    HttpResponse<String> disabled = attempt("bob", PASSWORD);
    HttpResponse<String> locked = attempt("alice", PASSWORD);

    for (HttpResponse<String> response : List.of(wrong, disabled, locked)) {
      assertThat(response.statusCode()).isEqualTo(unknown.statusCode());
      assertThat(normalized(response)).isEqualTo(normalized(unknown));
      assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
    }
    assertThat(unknown.body())
        .contains("The username or password is wrong, or the account is locked for a while.");
  }

  @Test
  void unknownUsersAndWrongPasswordsTakeSimilarTime() throws IOException {
    start(1000);
    List<Long> unknown = new ArrayList<>();
    List<Long> wrong = new ArrayList<>();
    for (int i = -3; i < 15; i++) {
      // Past any delay, so each attempt takes the path being measured.
      idp.clock.advance(Duration.ofDays(30));
      long unknownTime = timed("nobody" + i, "some password " + i);
      idp.clock.advance(Duration.ofDays(30));
      long wrongTime = timed("alice", "some password " + i);
      if (i >= 0) {
        unknown.add(unknownTime);
        wrong.add(wrongTime);
      }
    }

    double ratio = (double) median(unknown) / median(wrong);
    assertThat(ratio).as("median unknown/wrong = %s", ratio).isBetween(0.5, 2.0);
  }

  private long timed(String username, String password) {
    HttpResponse<String> page =
        browser.authorize(authorizeParameters("webapp", TestBrowser.Pkce.create()));
    long start = System.nanoTime();
    HttpResponse<String> response =
        browser.submit(page, "/login", Map.of("username", username, "password", password));
    long elapsed = System.nanoTime() - start;
    assertThat(response.statusCode()).isEqualTo(401);
    return elapsed;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
