package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.runtime.http.Json;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A person, end to end, under {@code bulwark up}: an administrator creates a finance user and a web
 * client through the identity admin API; the user signs in through the provider's pages, sets up an
 * authenticator app, and steps up to MFA; the token they get carries their role and {@code amr},
 * and with it the payments policy lets them refund through the gateway, while the same user without
 * the second factor is refused.
 */
class UserSignInEndToEndIT {
  private static final URI CALLBACK = URI.create("https://console.example/callback");
  private static final String PASSWORD = "a long and unusual passphrase 42";
  private static final String MFA = "urn:bulwark:acr:mfa";

  @TempDir static Path work;
  private static TestBulwarkProcess bulwark;
  private static String adminToken;
  private static String consoleSecret;

  @BeforeAll
  static void startBulwark() throws Exception {
    bulwark = TestBulwarkProcess.up(work.resolve("data"), Map.of());
    adminToken = adminToken();
    JsonNode client =
        admin(
            "POST",
            "/clients",
            "{\"client_id\":\"finance-console\",\"client_name\":\"Finance console\","
                + "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
                + "\"redirect_uris\":[\""
                + CALLBACK
                + "\"],\"scopes\":[\"payments:read\",\"payments:refund\"],"
                + "\"audiences\":[\"urn:bulwark:payments\"]}");
    consoleSecret = client.path("client_secret").asString();
    JsonNode fiona =
        admin(
            "POST",
            "/users",
            "{\"username\":\"fiona\",\"name\":\"Fiona Finance\",\"email\":\"fiona@example.com\","
                + "\"password\":\""
                + PASSWORD
                + "\"}");
    admin("POST", "/groups", "{\"name\":\"finance\",\"description\":\"Finance team\"}");
    admin("PUT", "/groups/finance/roles/finance", "{}");
    admin("PUT", "/groups/finance/members/" + fiona.path("user_id").asString(), "{}");
  }

  @AfterAll
  static void stopBulwark() throws Exception {
    if (bulwark != null) {
      bulwark.close();
    }
  }

  @Test
  void financeUserRefundsOnlyAfterSteppingUpToMfa() throws Exception {
    String payment = createPayment();
    Browser browser = new Browser();

    // Password alone: a token with the finance role but amr [pwd]; the refund is refused.
    String passwordOnly = browser.signIn(Optional.empty(), Optional.empty());
    JsonNode weak = claims(passwordOnly);
    assertThat(weak.path("roles").toString()).contains("finance");
    assertThat(weak.path("amr").toString()).doesNotContain("otp");
    assertThat(refund(payment, passwordOnly).statusCode()).isEqualTo(403);

    // The authenticator app, set up at the account page with the signed-in session.
    byte[] seed = browser.enrollTotp();

    // Step-up: the session asks only for the second factor, and the token says so.
    String strong = browser.signIn(Optional.of(MFA), Optional.of(seed));
    JsonNode claims = claims(strong);
    assertThat(claims.path("amr").toString()).contains("pwd").contains("otp");
    assertThat(claims.path("acr").asString()).isEqualTo(MFA);
    HttpResponse<String> refunded = refund(payment, strong);
    assertThat(refunded.statusCode()).as(refunded.body()).isEqualTo(200);
  }

  @Test
  void wrongPasswordsAreAnsweredAlikeAndNeverSignIn() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> wrong = browser.tryPassword("fiona", "not the password at all");
    HttpResponse<String> unknown = browser.tryPassword("nobody-here", "not the password at all");
    assertThat(wrong.statusCode()).isEqualTo(unknown.statusCode());
    assertThat(errorText(wrong.body())).isEqualTo(errorText(unknown.body())).isNotEmpty();
    assertThat(wrong.headers().firstValue("Location")).isEmpty();
  }

  private static String errorText(String html) {
    Matcher error = Pattern.compile("<p class=\"error\"[^>]*>([^<]*)</p>").matcher(html);
    return error.find() ? error.group(1) : "";
  }

  private static String createPayment() {
    String shop = bulwark.token("demo-shop", Optional.empty());
    HttpResponse<String> created =
        bulwark.postJson(
            bulwark.gateway("/payments"),
            shop,
            "{\"amount\":\"42.00\",\"currency\":\"EUR\",\"description\":\"books\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return Json.MAPPER.readTree(created.body()).path("id").asString();
  }

  private static HttpResponse<String> refund(String payment, String token) {
    return bulwark.postJson(bulwark.gateway("/payments/" + payment + "/refund"), token, "{}");
  }

  private static JsonNode claims(String jwt) {
    String payload = jwt.split("\\.")[1];
    return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(payload));
  }

  private static String adminToken() {
    JsonNode admin = bulwark.manifest.path("admin");
    return bulwark.clientCredentialsToken(
        admin.path("client_id").asString(),
        admin.path("client_secret").asString(),
        "urn:bulwark:admin");
  }

  private static JsonNode admin(String method, String path, String json) {
    HttpResponse<String> response =
        bulwark.send(
            HttpRequest.newBuilder(bulwark.component("identity", "/admin/v1" + path))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build());
    assertThat(response.statusCode() / 100)
        .as(method + " " + path + ": " + response.body())
        .isEqualTo(2);
    return Json.MAPPER.readTree(response.body());
  }

  /** A browser without JavaScript: a cookie jar, no automatic redirects, forms by hand. */
  private static final class Browser {
    private static final Pattern HIDDEN =
        Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();

    Browser() {
      CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
      http =
          HttpClient.newBuilder()
              .sslContext(bulwark.tls)
              .cookieHandler(cookies)
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
    }

    /** Signs in to the finance console and returns the access token from its code. */
    String signIn(Optional<String> acr, Optional<byte[]> seed) throws Exception {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      String challenge =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  MessageDigest.getInstance("SHA-256")
                      .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
      Map<String, String> query = new LinkedHashMap<>();
      query.put("response_type", "code");
      query.put("client_id", "finance-console");
      query.put("redirect_uri", CALLBACK.toString());
      query.put("scope", "openid payments:read payments:refund");
      query.put("state", "s-" + random.nextInt(1_000_000));
      query.put("code_challenge", challenge);
      query.put("code_challenge_method", "S256");
      acr.ifPresent(a -> query.put("acr_values", a));
      HttpResponse<String> page = get("/authorize?" + encode(query));
      if (page.statusCode() == 200 && page.body().contains("action=\"/login\"")) {
        page = submit(page, "/login", Map.of("username", "fiona", "password", PASSWORD));
      }
      if (page.statusCode() == 200 && page.body().contains("action=\"/login/mfa\"")) {
        // A step ahead of the one enrollment used: each step is accepted once.
        String code = totp(seed.orElseThrow(), Instant.now().plusSeconds(30));
        page = submit(page, "/login/mfa", Map.of("totp", code));
      }
      assertThat(page.statusCode()).as(page.body()).isEqualTo(303);
      URI location = URI.create(page.headers().firstValue("Location").orElseThrow());
      assertThat(location.toString()).startsWith(CALLBACK.toString());
      Map<String, String> answer = decode(location.getRawQuery());
      assertThat(answer.get("state")).isEqualTo(query.get("state"));
      String pair = "finance-console:" + consoleSecret;
      HttpResponse<String> tokens =
          bulwark.send(
              HttpRequest.newBuilder(bulwark.component("identity", "/token"))
                  .header(
                      "Authorization",
                      "Basic "
                          + Base64.getEncoder()
                              .encodeToString(pair.getBytes(StandardCharsets.UTF_8)))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          encode(
                              Map.of(
                                  "grant_type",
                                  "authorization_code",
                                  "code",
                                  answer.get("code"),
                                  "redirect_uri",
                                  CALLBACK.toString(),
                                  "code_verifier",
                                  verifier))))
                  .build());
      assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
      return Json.MAPPER.readTree(tokens.body()).path("access_token").asString();
    }

    HttpResponse<String> tryPassword(String username, String password) throws Exception {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("response_type", "code");
      query.put("client_id", "finance-console");
      query.put("redirect_uri", CALLBACK.toString());
      query.put("scope", "payments:read");
      query.put("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
      query.put("code_challenge_method", "S256");
      HttpResponse<String> page = get("/authorize?" + encode(query));
      return submit(page, "/login", Map.of("username", username, "password", password));
    }

    byte[] enrollTotp() throws Exception {
      HttpResponse<String> page = get("/account/mfa");
      Matcher secret =
          Pattern.compile("<code id=\"totp-secret\">([A-Z2-7]+)</code>").matcher(page.body());
      assertThat(secret.find()).as(page.body()).isTrue();
      byte[] seed = base32(secret.group(1));
      HttpResponse<String> done =
          submit(page, "/account/mfa", Map.of("code", totp(seed, Instant.now())));
      assertThat(done.body()).as(done.body()).contains("<li><code>");
      return seed;
    }

    private HttpResponse<String> get(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(bulwark.component("identity", path))
              .timeout(Duration.ofSeconds(20))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(
        HttpResponse<String> page, String action, Map<String, String> fields) throws Exception {
      Map<String, String> form = new LinkedHashMap<>();
      int at = page.body().indexOf("action=\"" + action + "\"");
      assertThat(at).as("no form to " + action + " on:\n" + page.body()).isNotNegative();
      Matcher hidden = HIDDEN.matcher(page.body());
      hidden.region(at, page.body().length());
      int end = page.body().indexOf("</form>", at);
      while (hidden.find() && hidden.start() < end) {
        form.put(hidden.group(1), hidden.group(2).replace("&amp;", "&"));
      }
      form.putAll(fields);
      return http.send(
          HttpRequest.newBuilder(bulwark.component("identity", action))
              .timeout(Duration.ofSeconds(20))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static String totp(byte[] seed, Instant at) throws Exception {
    return new TimeBasedOneTimePasswordGenerator()
        .generateOneTimePasswordString(new SecretKeySpec(seed, "HmacSHA1"), at, Locale.ROOT);
  }

  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }

  private static String encode(Map<String, String> parameters) {
    StringBuilder out = new StringBuilder();
    parameters.forEach(
        (k, v) -> {
          if (out.length() > 0) {
            out.append('&');
          }
          out.append(URLEncoder.encode(k, StandardCharsets.UTF_8))
              .append('=')
              .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
    return out.toString();
  }

  private static Map<String, String> decode(String query) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
