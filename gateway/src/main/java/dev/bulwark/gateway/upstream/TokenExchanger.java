package dev.bulwark.gateway.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.tls.TlsContexts;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Trades a caller's access token for one addressed to the upstream (OAuth 2.0 Token Exchange, RFC
 * 8693 §2), so an upstream never receives a token meant for the gateway or another service.
 * Exchanged tokens are cached until shortly before they expire.
 */
public final class TokenExchanger {
  private static final Logger LOG = LoggerFactory.getLogger(TokenExchanger.class);
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
  private static final int CACHE_SIZE = 10_000;
  // An exchanged token is not handed on in its last seconds: it must outlive the upstream's check.
  private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final TokenExchange settings;
  private final WebClient client;
  private final Clock clock;
  private final String basicAuthorization;
  private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true);
  private final AtomicLong exchanges = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  /**
   * An exchanger calling {@code settings.tokenEndpoint()} over {@code tls}, waiting at most {@code
   * timeout} for it.
   */
  public TokenExchanger(TokenExchange settings, SSLContext tls, Duration timeout, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.clock = requireNonNull(clock, "clock");
    requireNonNull(tls, "tls");
    requireNonNull(timeout, "timeout");
    this.client =
        WebClient.builder()
            .tls(
                Tls.builder().sslContext(tls).sslParameters(TlsContexts.clientParameters()).build())
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .followRedirects(false)
            .build();
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    this.basicAuthorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (form(settings.clientId()) + ":" + form(settings.clientSecret()))
                        .getBytes(UTF_8));
  }

  /**
   * The token to send upstream in place of {@code subjectToken}; empty when the exchange failed
   * (the reason is logged, without tokens), in which case the request must be refused.
   */
  public Optional<String> exchange(String subjectToken) {
    requireNonNull(subjectToken, "subjectToken");
    String key = sha256(subjectToken) + " " + settings.audience();
    Instant now = clock.instant();
    synchronized (cache) {
      Cached cached = cache.get(key);
      if (cached != null && now.isBefore(cached.until)) {
        return Optional.of(cached.token);
      }
      cache.remove(key);
    }
    Optional<Cached> issued = callTokenEndpoint(subjectToken, now);
    if (issued.isEmpty()) {
      failures.incrementAndGet();
      return Optional.empty();
    }
    exchanges.incrementAndGet();
    if (issued.get().until.isAfter(now)) {
      synchronized (cache) {
        cache.put(key, issued.get());
        if (cache.size() > CACHE_SIZE) {
          cache.remove(cache.keySet().iterator().next());
        }
      }
    }
    return Optional.of(issued.get().token);
  }

  /** How many tokens the token endpoint issued (cache misses that succeeded). */
  public long exchanges() {
    return exchanges.get();
  }

  /** How many exchanges failed, each refusing a request. */
  public long failures() {
    return failures.get();
  }

  private Optional<Cached> callTokenEndpoint(String subjectToken, Instant now) {
    // RFC 8693 §2.1; Bulwark's identity provider takes the target as audience (or resource).
    String body =
        "grant_type="
            + form(GRANT_TYPE)
            + "&subject_token="
            + form(subjectToken)
            + "&subject_token_type="
            + form(ACCESS_TOKEN_TYPE)
            + "&requested_token_type="
            + form(ACCESS_TOKEN_TYPE)
            + "&audience="
            + form(settings.audience());
    try (HttpClientResponse response =
            client
                .post()
                .uri(settings.tokenEndpoint())
                .header(HeaderNames.AUTHORIZATION, basicAuthorization)
                .header(HeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(HeaderValues.ACCEPT_JSON)
                .submit(body.getBytes(UTF_8));
        InputStream in = response.inputStream()) {
      byte[] answer = in.readNBytes(MAX_RESPONSE_BYTES);
      if (response.status().code() != 200) {
        return refused("status " + response.status().code() + " " + oauthError(answer));
      }
      return parse(answer, now);
    } catch (IOException | RuntimeException e) {
      // The exception's message may quote the request; its type is enough to diagnose.
      return refused("the token endpoint is unreachable (" + e.getClass().getSimpleName() + ")");
    }
  }

  // RFC 8693 §2.2.1: a Bearer access token, with an expiry we can cache by.
  private Optional<Cached> parse(byte[] answer, Instant now) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(answer);
    } catch (JacksonException e) {
      return refused("the token endpoint's answer is not JSON");
    }
    JsonNode token = json.path("access_token");
    if (!token.isString() || token.asString().isEmpty()) {
      return refused("the answer has no access_token");
    }
    if (!"bearer".equals(json.path("token_type").asString("").toLowerCase(Locale.ROOT))) {
      return refused("the answer's token_type is not Bearer");
    }
    JsonNode issuedType = json.path("issued_token_type");
    if (!issuedType.isMissingNode() && !ACCESS_TOKEN_TYPE.equals(issuedType.asString(""))) {
      return refused("the answer's issued_token_type is not an access token");
    }
    JsonNode expiresIn = json.path("expires_in");
    Instant until =
        expiresIn.isIntegralNumber()
            ? now.plusSeconds(expiresIn.asLong()).minus(EXPIRY_MARGIN)
            // Without a lifetime it is used once, never cached.
            : now;
    return Optional.of(new Cached(token.asString(), until));
  }

  private Optional<Cached> refused(String reason) {
    LOG.warn(
        "token exchange for audience {} at {} failed: {}",
        settings.audience(),
        settings.tokenEndpoint(),
        reason);
    return Optional.empty();
  }

  // Only the registered error code is logged (RFC 6749 §5.2), restricted to its own alphabet.
  private static String oauthError(byte[] answer) {
    try {
      String error = Json.MAPPER.readTree(answer).path("error").asString("");
      return error.matches("[a-z_]{1,64}") ? error : "";
    } catch (JacksonException e) {
      return "";
    }
  }

  private static String form(String value) {
    return URLEncoder.encode(value, UTF_8);
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private record Cached(String token, Instant until) {}
}
