package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.identity.internal.mfa.Base32;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.runtime.http.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Interoperability with a certified relying-party library: panva's openid-client (installed by the
 * build under src/test/node) runs in Node.js against the provider on a loopback HTTPS port. It
 * discovers the provider, signs a user in with authorization code + PKCE through the provider's own
 * pages (password, then TOTP, because the request asks for MFA), checks the ID token, calls
 * userinfo, refreshes, introspects, revokes, presents a used refresh token, and obtains a
 * client-credentials token. The library does its own validation (state, nonce, iss, ID token
 * signature and claims, at_hash), so a step it accepts is one a standard client accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenIdClientInteropTest {
  private static final URI CALLBACK = TestBrowser.APP_CALLBACK;
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir static Path dir;
  private TestIdentityProvider idp;
  private JsonNode result;

  @BeforeAll
  void runOpenIdClient() throws Exception {
    CertificateAuthority authority = TestIdentityProvider.authority();
    idp =
        TestIdentityProvider.start(
            dir.resolve("db"),
            authority,
            MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])));
    ClientSecret webSecret =
        idp.provider.registerClient(
            ClientRegistration.builder("interop-web", "Interop web app")
                .grantTypes(ClientRegistration.AUTHORIZATION_CODE, ClientRegistration.REFRESH_TOKEN)
                .redirectUris(CALLBACK)
                .scopes(Set.of("payments:read"))
                .audiences(Set.of(TestIdentityProvider.PAYMENTS))
                .build());
    ClientSecret serviceSecret =
        idp.provider.registerClient(
            new ClientRegistration(
                "interop-service",
                "Interop service",
                Set.of("payments:read"),
                Set.of(TestIdentityProvider.PAYMENTS)));
    UserAccount fiona =
        idp.provider.createUser(
            "fiona", "Fiona Finance", Optional.of("fiona@example.com"), PASSWORD);
    idp.provider.grantRole(fiona.userId(), "finance");

    // Set up TOTP through the account pages, as the user would, to learn the seed.
    TestBrowser browser = new TestBrowser(idp);
    browser.signIn("interop-web", "fiona", PASSWORD, Optional.empty(), TestBrowser.Pkce.create());
    byte[] seed = browser.enrollTotp().seed();
    // The enrollment used the current time step, and a step is accepted once: the provider's clock
    // moves a step ahead, and the library's TOTP is computed for the same shifted time.
    idp.clock.advance(Duration.ofSeconds(30));

    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, CertificateAuthority.toPem(authority.certificate()));
    Path node = Path.of("src/test/node");
    ProcessBuilder process =
        new ProcessBuilder("node", "oidc-interop.mjs")
            .directory(node.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> env = process.environment();
    env.put("NODE_EXTRA_CA_CERTS", ca.toString());
    env.put("ISSUER", idp.provider.issuer());
    env.put("CLIENT_ID", "interop-web");
    env.put("CLIENT_SECRET", webSecret.reveal());
    env.put("REDIRECT_URI", CALLBACK.toString());
    env.put("USERNAME", "fiona");
    env.put("PASSWORD", PASSWORD);
    env.put("TOTP_SECRET", Base32.encode(seed));
    env.put("TOTP_OFFSET_SECONDS", "30");
    env.put("SCOPE", "openid profile email payments:read");
    env.put("CC_CLIENT_ID", "interop-service");
    env.put("CC_CLIENT_SECRET", serviceSecret.reveal());
    Process running = process.start();
    String output = new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(running.exitValue()).as("openid-client run: " + output).isZero();
    result = Json.MAPPER.readTree(output);
  }

  @AfterAll
  void stop() {
    if (idp != null) {
      idp.close();
    }
  }

  @Test
  void discoveryIsAcceptedByTheLibrary() {
    assertThat(result.path("discovery").path("issuer").asString()).isEqualTo(idp.provider.issuer());
    assertThat(result.path("discovery").path("code_challenge_methods_supported").toString())
        .isEqualTo("[\"S256\"]");
  }

  @Test
  void codeFlowWithPkceAndTotpGivesAnIdTokenTheLibraryValidates() {
    JsonNode code = result.path("authorization_code");
    assertThat(code.path("error").isMissingNode()).as(code.toString()).isTrue();
    assertThat(code.path("iss_in_callback").asString()).isEqualTo(idp.provider.issuer());
    JsonNode claims = code.path("id_token_claims");
    assertThat(claims.path("aud").toString()).contains("interop-web");
    assertThat(claims.path("amr").toString()).contains("pwd").contains("otp");
    assertThat(claims.path("acr").asString()).isEqualTo("urn:bulwark:acr:mfa");
    assertThat(claims.path("auth_time").isNumber()).isTrue();
    assertThat(code.path("token_type").asString()).isEqualToIgnoringCase("bearer");
    assertThat(code.path("refresh_token").asString()).isNotEmpty();
  }

  @Test
  void userinfoAnswersForTheSignedInUser() {
    JsonNode userinfo = result.path("userinfo");
    assertThat(userinfo.path("error").isMissingNode()).as(userinfo.toString()).isTrue();
    assertThat(userinfo.path("sub").asString())
        .isEqualTo(
            result.path("authorization_code").path("id_token_claims").path("sub").asString());
    assertThat(userinfo.path("preferred_username").asString()).isEqualTo("fiona");
    assertThat(userinfo.path("email").asString()).isEqualTo("fiona@example.com");
    assertThat(userinfo.path("roles").toString()).contains("finance");
  }

  @Test
  void refreshIntrospectionAndRevocationWork() {
    assertThat(result.path("refresh").path("access_token").asString()).isNotEmpty();
    assertThat(result.path("refresh").path("refresh_token").asString())
        .isNotEqualTo(result.path("authorization_code").path("refresh_token").asString());
    JsonNode active = result.path("introspect_active");
    assertThat(active.path("active").asBoolean()).as(active.toString()).isTrue();
    assertThat(active.path("client_id").asString()).isEqualTo("interop-web");
    assertThat(active.path("username").asString()).isEqualTo("fiona");
    assertThat(result.path("revoke").path("revoked").asBoolean()).isTrue();
    assertThat(result.path("introspect_revoked").path("active").asBoolean()).isFalse();
  }

  @Test
  void aReusedRefreshTokenIsRefusedAndEndsTheFamily() {
    assertThat(result.path("refresh_reuse").path("oauth").asString()).isEqualTo("invalid_grant");
    assertThat(result.path("refresh_after_reuse").path("oauth").asString())
        .as("the newest refresh token of the family died with the reuse")
        .isEqualTo("invalid_grant");
  }

  @Test
  void clientCredentialsGrantWorks() {
    JsonNode cc = result.path("client_credentials");
    assertThat(cc.path("error").isMissingNode()).as(cc.toString()).isTrue();
    assertThat(cc.path("access_token").asString()).isNotEmpty();
    assertThat(cc.path("expires_in").asInt()).isPositive();
  }
}
