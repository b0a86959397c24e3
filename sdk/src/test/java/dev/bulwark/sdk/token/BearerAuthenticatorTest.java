package dev.bulwark.sdk.token;

import static dev.bulwark.sdk.token.TestTokens.NOW;
import static dev.bulwark.sdk.token.TestTokens.SUBJECT;
import static dev.bulwark.sdk.token.TestTokens.token;
import static dev.bulwark.sdk.token.TestTokens.verifier;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication.Authenticated;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication.Challenged;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BearerAuthenticatorTest {
  private static final String REALM = "orders";

  private final BearerAuthenticator authenticator =
      new BearerAuthenticator(verifier().build(), REALM);

  @Test
  void missingHeaderIsChallengedWithBareBearerChallenge() {
    Authentication result = authenticator.authenticate(Optional.empty());

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.wwwAuthenticate()).isEqualTo("Bearer realm=\"orders\"");
              assertThat(challenged.wwwAuthenticate()).doesNotContain("error");
              assertThat(challenged.reason()).isEmpty();
            });
  }

  @Test
  void basicSchemeIsChallengedWithBareBearerChallenge() {
    Authentication result = authenticator.authenticate(Optional.of("Basic dXNlcjpwYXNzd29yZA=="));

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.wwwAuthenticate()).isEqualTo("Bearer realm=\"orders\"");
              assertThat(challenged.reason()).isEmpty();
            });
  }

  @Test
  void schemeWithoutCredentialsIsChallenged() {
    Authentication result = authenticator.authenticate(Optional.of("Bearer"));

    assertThat(result).isInstanceOf(Challenged.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
  void bearerSchemeIsCaseInsensitive(String scheme) {
    Authentication result =
        authenticator.authenticate(Optional.of(scheme + " " + token().serialize()));

    assertThat(result).isInstanceOf(Authenticated.class);
  }

  @Test
  void validTokenIsAuthenticated() {
    Authentication result =
        authenticator.authenticate(Optional.of("Bearer " + token().serialize()));

    assertThat(result)
        .isInstanceOfSatisfying(
            Authenticated.class,
            authenticated -> assertThat(authenticated.token().subject()).isEqualTo(SUBJECT));
  }

  @Test
  void tokenContainingSpaceIsInvalidToken() {
    String compact = token().serialize();
    String split = compact.substring(0, 20) + " " + compact.substring(20);

    Authentication result = authenticator.authenticate(Optional.of("Bearer " + split));

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.error()).isEqualTo("invalid_token");
              assertThat(challenged.wwwAuthenticate()).contains("error=\"invalid_token\"");
              assertThat(challenged.reason()).contains(Reason.MALFORMED);
            });
  }

  @Test
  void invalidTokenChallengeCarriesInvalidTokenError() {
    String expired =
        token().issuedAt(NOW.minusSeconds(600)).expiresAt(NOW.minusSeconds(300)).serialize();

    Authentication result = authenticator.authenticate(Optional.of("Bearer " + expired));

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.wwwAuthenticate())
                  .startsWith("Bearer realm=\"orders\"")
                  .contains("error=\"invalid_token\"")
                  .contains("error_description=\"");
              assertThat(challenged.error()).isEqualTo("invalid_token");
              assertThat(challenged.reason()).contains(Reason.EXPIRED);
            });
  }

  @Test
  void invalidTokenChallengeDoesNotEchoTheToken() {
    String wrongAudience = token().claim("aud", "https://billing.bulwark.test").serialize();

    Authentication result = authenticator.authenticate(Optional.of("Bearer " + wrongAudience));

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.wwwAuthenticate()).doesNotContain(wrongAudience);
              assertThat(challenged.description()).doesNotContain(wrongAudience);
            });
  }

  @Test
  void insufficientScopeChallengeCarriesErrorAndScope() {
    String header = authenticator.insufficientScope("orders:write");

    assertThat(header)
        .startsWith("Bearer realm=\"orders\"")
        .contains("error=\"insufficient_scope\"")
        .contains("scope=\"orders:write\"");
  }

  @Test
  void unavailableIssuerKeysAreA503NotTheCallersFault() throws Exception {
    BearerAuthenticator unreachable =
        new BearerAuthenticator(
            AccessTokenVerifier.builder()
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .jwksUri(TestTokens.unusedLoopbackJwksUri(), javax.net.ssl.SSLContext.getDefault())
                .clock(TestTokens.clockAt(NOW))
                .build(),
            REALM);

    Authentication result = unreachable.authenticate(Optional.of("Bearer " + token().serialize()));

    assertThat(result)
        .isInstanceOfSatisfying(
            Challenged.class,
            challenged -> {
              assertThat(challenged.status()).isEqualTo(503);
              assertThat(challenged.error()).isEqualTo("temporarily_unavailable");
              assertThat(challenged.reason()).contains(Reason.KEYS_UNAVAILABLE);
            });
  }

  @Test
  void rejectedTokenIsA401() {
    Authentication result = authenticator.authenticate(Optional.of("Bearer not.a.token"));

    assertThat(result)
        .isInstanceOfSatisfying(Challenged.class, c -> assertThat(c.status()).isEqualTo(401));
  }
}
