package dev.bulwark.gateway.auth;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.token.AccessToken;
import dev.bulwark.sdk.token.CertificateBinding;
import dev.bulwark.sdk.token.TokenVerification;
import dev.bulwark.sdk.token.TokenVerification.Reason;
import dev.bulwark.sdk.token.TokenVerification.Rejected;
import dev.bulwark.sdk.token.TokenVerification.Verified;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Asks one issuer about an opaque token (RFC 7662 §2.1) and turns the answer into an audience-free
 * {@link TokenVerification}: the route's audience is checked by the caller, so one answer serves
 * every route.
 */
final class Introspector {
  private static final Logger LOG = LoggerFactory.getLogger(Introspector.class);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;

  private final TrustedIssuer issuer;
  private final Introspection introspection;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  Introspector(
      TrustedIssuer issuer,
      Introspection introspection,
      HttpClient http,
      Duration timeout,
      Clock clock) {
    this.issuer = issuer;
    this.introspection = introspection;
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
  }

  String issuer() {
    return issuer.issuer();
  }

  /**
   * The issuer's answer about {@code token}, or empty if it cannot be had (unreachable, an error
   * status, a malformed answer): the caller must then fail closed.
   */
  Optional<TokenVerification> introspect(String token, String tokenHash) {
    HttpRequest request =
        HttpRequest.newBuilder(introspection.endpoint())
            .timeout(timeout)
            .header("Authorization", basicCredentials())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "token="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + "&token_type_hint=access_token"))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      LOG.warn(
          "introspection at {} failed ({}); refusing token {}",
          introspection.endpoint(),
          e.getClass().getSimpleName(),
          shortHash(tokenHash));
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (response.statusCode() != 200 || response.body().length > MAX_ANSWER_BYTES) {
      LOG.warn(
          "introspection at {} answered {}; refusing token {}",
          introspection.endpoint(),
          response.statusCode(),
          shortHash(tokenHash));
      return Optional.empty();
    }
    JsonNode answer;
    try {
      answer = Json.MAPPER.readTree(response.body());
    } catch (JacksonException e) {
      LOG.warn(
          "introspection at {} answered with malformed JSON; refusing token {}",
          introspection.endpoint(),
          shortHash(tokenHash));
      return Optional.empty();
    }
    if (answer == null || !answer.isObject()) {
      LOG.warn(
          "introspection at {} answered with no JSON object; refusing token {}",
          introspection.endpoint(),
          shortHash(tokenHash));
      return Optional.empty();
    }
    return Optional.of(judge(answer, tokenHash));
  }

  // RFC 7662 §2.2: only "active": true (a JSON boolean) means active; anything else is inactive.
  private TokenVerification judge(JsonNode answer, String tokenHash) {
    JsonNode active = answer.get("active");
    if (active == null || !active.isBoolean() || !active.booleanValue()) {
      return new Rejected(Reason.INACTIVE, "the token is not active");
    }
    if (!issuer.issuer().equals(text(answer, "iss").orElse(""))) {
      return new Rejected(Reason.WRONG_ISSUER, "the token was not issued by " + issuer.issuer());
    }
    Optional<String> subject = text(answer, "sub");
    Optional<String> clientId = text(answer, "client_id");
    Optional<Long> exp = number(answer, "exp");
    if (subject.isEmpty() || clientId.isEmpty() || exp.isEmpty()) {
      return new Rejected(
          Reason.MISSING_CLAIM, "the introspection answer lacks sub, client_id or exp");
    }
    Instant now = clock.instant();
    Instant expiresAt = Instant.ofEpochSecond(exp.get());
    if (!now.isBefore(expiresAt.plus(issuer.clockSkew()))) {
      return new Rejected(Reason.EXPIRED, "the token has expired");
    }
    Optional<Long> nbf = number(answer, "nbf");
    if (nbf.isPresent()
        && now.isBefore(Instant.ofEpochSecond(nbf.get()).minus(issuer.clockSkew()))) {
      return new Rejected(Reason.NOT_YET_VALID, "the token is not valid yet");
    }
    Optional<String> thumbprint;
    try {
      thumbprint =
          CertificateBinding.fromConfirmation(
              Optional.ofNullable(answer.get("cnf"))
                  .map(cnf -> Json.MAPPER.convertValue(cnf, Object.class)));
    } catch (IllegalArgumentException e) {
      return new Rejected(
          Reason.MALFORMED, "the token's cnf is not a certificate binding (RFC 8705 §3.2)");
    }
    return new Verified(
        new AccessToken(
            issuer.issuer(),
            subject.get(),
            clientId.get(),
            audiences(answer.get("aud")),
            names(answer.get("scope")),
            number(answer, "iat").map(Instant::ofEpochSecond).orElse(now),
            expiresAt,
            // Without a jti the hash names the token in logs and audit without revealing it.
            text(answer, "jti").orElse("sha256:" + tokenHash),
            names(answer.get("roles")),
            names(answer.get("groups")),
            names(answer.get("amr")),
            thumbprint));
  }

  // RFC 7662 §2.2 after RFC 7519 §4.1.3: aud is one string or an array of strings.
  private static List<String> audiences(JsonNode aud) {
    List<String> out = new ArrayList<>();
    if (aud != null && aud.isString()) {
      out.add(aud.stringValue());
    } else if (aud != null && aud.isArray()) {
      for (JsonNode value : aud) {
        if (value.isString()) {
          out.add(value.stringValue());
        }
      }
    }
    return out;
  }

  // Space-separated names (scope, RFC 7662 §2.2) or an array of strings (roles, groups, amr).
  private static Set<String> names(JsonNode value) {
    Set<String> out = new LinkedHashSet<>();
    if (value != null && value.isString()) {
      for (String part : value.stringValue().trim().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    } else if (value != null && value.isArray()) {
      for (JsonNode item : value) {
        if (item.isString()) {
          out.add(item.stringValue());
        }
      }
    }
    return out;
  }

  private static Optional<String> text(JsonNode answer, String name) {
    JsonNode value = answer.get(name);
    return value != null && value.isString() && !value.stringValue().isEmpty()
        ? Optional.of(value.stringValue())
        : Optional.empty();
  }

  private static Optional<Long> number(JsonNode answer, String name) {
    JsonNode value = answer.get(name);
    return value != null && value.isIntegralNumber() && value.canConvertToLong()
        ? Optional.of(value.longValue())
        : Optional.empty();
  }

  // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
  private String basicCredentials() {
    char[] secret = introspection.clientSecret().reveal();
    try {
      String pair =
          URLEncoder.encode(introspection.clientId(), StandardCharsets.UTF_8)
              + ":"
              + URLEncoder.encode(CharBuffer.wrap(secret).toString(), StandardCharsets.UTF_8);
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    } finally {
      Arrays.fill(secret, '\0');
    }
  }

  private static String shortHash(String tokenHash) {
    return "sha256:" + tokenHash.substring(0, 12);
  }
}
