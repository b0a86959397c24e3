package dev.bulwark.identity;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.identity.internal.mfa.Base32;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.spec.SecretKeySpec;

/**
 * A browser for tests: a cookie jar, no automatic redirects, and the forms of the provider's pages.
 * {@link #signIn} runs a whole authorization-code sign-in and returns the code.
 */
final class TestBrowser {
  static final URI APP_CALLBACK = URI.create("https://app.example/callback");
  static final URI APP_LOGGED_OUT = URI.create("https://app.example/logged-out");

  private static final Pattern FORM =
      Pattern.compile("<form method=\"post\" action=\"([^\"]*)\">(.*?)</form>", Pattern.DOTALL);
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  private static final SecureRandom RANDOM = new SecureRandom();

  final TestIdentityProvider idp;
  final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  final HttpClient http;

  TestBrowser(TestIdentityProvider idp) {
    this.idp = idp;
    this.http =
        HttpClient.newBuilder()
            .sslContext(idp.clientTls)
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A public web client with {@link #APP_CALLBACK} and {@link #APP_LOGGED_OUT}. */
  static ClientRegistration.Builder webApp(String clientId) {
    return ClientRegistration.builder(clientId, "Web App " + clientId)
        .grantTypes(ClientRegistration.AUTHORIZATION_CODE, ClientRegistration.REFRESH_TOKEN)
        .authMethod(ClientRegistration.ClientAuthMethod.NONE)
        .redirectUris(APP_CALLBACK)
        .postLogoutRedirectUris(APP_LOGGED_OUT)
        .scopes(Set.of("payments:read"))
        .audiences(Set.of(TestIdentityProvider.PAYMENTS));
  }

  /** A PKCE pair (RFC 7636 §4.1–§4.2). */
  record Pkce(String verifier, String challenge) {
    static Pkce create() {
      byte[] bytes = new byte[32];
      RANDOM.nextBytes(bytes);
      String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256")
                .digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The usual parameters of an authorization request by {@code clientId}. */
  static Map<String, String> authorizeParameters(String clientId, Pkce pkce) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("response_type", "code");
    parameters.put("client_id", clientId);
    parameters.put("redirect_uri", APP_CALLBACK.toString());
    parameters.put("scope", "openid payments:read");
    parameters.put("state", "state-" + RANDOM.nextInt(1_000_000));
    parameters.put("nonce", "nonce-" + RANDOM.nextInt(1_000_000));
    parameters.put("code_challenge", pkce.challenge());
    parameters.put("code_challenge_method", "S256");
    return parameters;
  }

  HttpResponse<String> authorize(Map<String, String> parameters) {
    return get("/authorize?" + encode(parameters));
  }

  HttpResponse<String> get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create(idp.provider.issuer() + pathAndQuery)).build());
  }

  HttpResponse<String> post(String path, Map<String, String> form) {
    return send(
        HttpRequest.newBuilder(URI.create(idp.provider.issuer() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
            .build());
  }

  /** Fills in and submits the page's form posting to {@code action}. */
  HttpResponse<String> submit(
      HttpResponse<String> page, String action, Map<String, String> fields) {
    Map<String, String> form = new LinkedHashMap<>(hiddenFields(page.body(), action));
    form.putAll(fields);
    return post(action, form);
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The hidden fields of the form posting to {@code action}. */
  static Map<String, String> hiddenFields(String html, String action) {
    Matcher form = FORM.matcher(html);
    while (form.find()) {
      if (form.group(1).equals(action)) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher hidden = HIDDEN.matcher(form.group(2));
        while (hidden.find()) {
          fields.put(hidden.group(1), unescape(hidden.group(2)));
        }
        return fields;
      }
    }
    throw new AssertionError("no form posting to " + action + " in:\n" + html);
  }

  /** The query parameters of a redirect's Location. */
  static Map<String, String> redirectParameters(HttpResponse<String> response) {
    String location =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new AssertionError("no Location"));
    String query = URI.create(location).getRawQuery();
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        parameters.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return parameters;
  }

  /** The current session cookie's value, if the browser holds one. */
  Optional<String> sessionCookie() {
    return cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("__Host-bulwark_session"))
        .map(HttpCookie::getValue)
        .findFirst();
  }

  /**
   * Signs {@code username} in for {@code clientId} (with the TOTP seed, if the user has one) and
   * returns the authorization code.
   */
  String signIn(
      String clientId, String username, String password, Optional<byte[]> totpSeed, Pkce pkce) {
    HttpResponse<String> response = authorize(authorizeParameters(clientId, pkce));
    if (response.statusCode() == 200 && response.body().contains("action=\"/login\"")) {
      response = submit(response, "/login", Map.of("username", username, "password", password));
    }
    if (response.statusCode() == 200 && response.body().contains("action=\"/login/mfa\"")) {
      byte[] seed = totpSeed.orElseThrow(() -> new AssertionError("a second factor is asked for"));
      // The next time step: the step of the last code used is refused as a replay.
      idp.clock.advance(java.time.Duration.ofSeconds(30));
      response = submit(response, "/login/mfa", Map.of("totp", totp(seed, idp.clock.instant())));
    }
    if (response.statusCode() / 100 != 3) {
      throw new AssertionError("sign-in failed: " + response.statusCode() + "\n" + response.body());
    }
    Map<String, String> parameters = redirectParameters(response);
    return Optional.ofNullable(parameters.get("code"))
        .orElseThrow(() -> new AssertionError("no code: " + parameters));
  }

  /**
   * Sets up TOTP for the signed-in user at /account/mfa; returns the seed and the recovery codes.
   */
  Enrolled enrollTotp() {
    HttpResponse<String> page = get("/account/mfa");
    Matcher secret =
        Pattern.compile("<code id=\"totp-secret\">([A-Z2-7]+)</code>").matcher(page.body());
    if (!secret.find()) {
      throw new AssertionError("no TOTP secret on:\n" + page.body());
    }
    byte[] seed = Base32.decode(secret.group(1));
    HttpResponse<String> done =
        submit(page, "/account/mfa", Map.of("code", totp(seed, idp.clock.instant())));
    Matcher codes = Pattern.compile("<li><code>([A-Z2-7-]+)</code></li>").matcher(done.body());
    java.util.List<String> recovery = new java.util.ArrayList<>();
    while (codes.find()) {
      recovery.add(codes.group(1));
    }
    if (recovery.isEmpty()) {
      throw new AssertionError("enrollment failed: " + done.statusCode() + "\n" + done.body());
    }
    return new Enrolled(seed, recovery);
  }

  record Enrolled(byte[] seed, java.util.List<String> recoveryCodes) {}

  /** The TOTP code of {@code seed} at {@code time} (RFC 6238, SHA-1, 6 digits, 30 s). */
  static String totp(byte[] seed, Instant time) {
    try {
      return new TimeBasedOneTimePasswordGenerator()
          .generateOneTimePasswordString(new SecretKeySpec(seed, "HmacSHA1"), time, Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(Map<String, String> parameters) {
    return parameters.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }
}
