package dev.bulwark.audit.emit;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Delivers batches to the audit collector: {@code POST /v1/events} over mutual TLS 1.3, one {@link
 * AuditEventCodec} line per event ({@code application/x-ndjson}). The collector identifies the
 * caller by the SPIFFE ID of its client certificate.
 *
 * <p>Answers: 200 {@code {"accepted": n}} once the batch is durable (n must be the batch size); 400
 * refuses one event, named by {@code "line"} (1-based) in the body when the collector says which,
 * and is not retried; 413 is not retried as is (the emitter splits the batch); 401/403, 429, 503
 * (honouring {@code Retry-After}) and other 5xx are retried; anything else is not.
 */
public final class HttpAuditTransport implements AuditTransport {
  /** The path the collector takes events on. */
  public static final String EVENTS_PATH = "/v1/events";

  static final String NDJSON = "application/x-ndjson";
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final int MAX_QUOTED_ERROR = 200;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final URI endpoint;
  private final HttpClient client;
  private final Duration timeout;

  private HttpAuditTransport(URI endpoint, HttpClient client, Duration timeout) {
    this.endpoint = endpoint;
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * A transport to the collector at {@code collector} (an {@code https} URL of the collector's
   * root, e.g. {@code https://audit.internal:8450}), authenticating with the workload's SVID
   * through {@code mtls}, each delivery bounded by {@code timeout}.
   */
  public static HttpAuditTransport create(URI collector, SSLContext mtls, Duration timeout) {
    requireNonNull(collector, "collector");
    requireNonNull(mtls, "mtls");
    requireNonNull(timeout, "timeout");
    if (!"https".equalsIgnoreCase(collector.getScheme()) || collector.getHost() == null) {
      throw new IllegalArgumentException(
          "collector: " + collector + " (expected: an https URL with a host)");
    }
    if (collector.getRawQuery() != null || collector.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "collector: " + collector + " (expected: no query or fragment)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    String base = Optional.ofNullable(collector.getRawPath()).orElse("");
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI endpoint = collector.resolve(base + EVENTS_PATH);
    SSLParameters tls = new SSLParameters();
    tls.setProtocols(new String[] {"TLSv1.3"});
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(mtls)
            .sslParameters(tls)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return new HttpAuditTransport(endpoint, client, timeout);
  }

  /** Where batches are posted. */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void deliver(List<AuditEvent> events) throws AuditDeliveryException {
    requireNonNull(events, "events");
    if (events.isEmpty()) {
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", NDJSON)
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson(events)))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw AuditDeliveryException.of(
          AuditDeliveryException.Failure.UNREACHABLE, endpoint + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw AuditDeliveryException.of(
          AuditDeliveryException.Failure.INTERRUPTED, endpoint + ": interrupted");
    }
    answer(events, response.statusCode(), response.body(), response.headers());
  }

  static byte[] ndjson(List<AuditEvent> events) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(events.size() * 256);
    for (AuditEvent event : events) {
      body.writeBytes(AuditEventCodec.encode(event));
      body.write('\n');
    }
    return body.toByteArray();
  }

  private void answer(
      List<AuditEvent> events, int status, byte[] body, java.net.http.HttpHeaders headers)
      throws AuditDeliveryException {
    String what = "POST " + endpoint + " answered " + status;
    switch (status) {
      case 200 -> {
        OptionalLong accepted = number(body, "accepted");
        if (accepted.isEmpty() || accepted.getAsLong() != events.size()) {
          throw AuditDeliveryException.of(
              AuditDeliveryException.Failure.BAD_ACKNOWLEDGEMENT,
              what
                  + " accepting "
                  + (accepted.isPresent() ? accepted.getAsLong() : "an unknown number of")
                  + " events (expected: "
                  + events.size()
                  + ")");
        }
      }
      case 400 -> {
        OptionalLong line = number(body, "line");
        String message = what + " " + quote(body);
        if (line.isPresent() && line.getAsLong() >= 1 && line.getAsLong() <= events.size()) {
          throw AuditDeliveryException.rejected((int) line.getAsLong() - 1, message);
        }
        throw AuditDeliveryException.of(AuditDeliveryException.Failure.REJECTED, message);
      }
      case 401, 403 ->
          throw AuditDeliveryException.of(
              AuditDeliveryException.Failure.IDENTITY, what + " " + quote(body));
      case 413 ->
          throw AuditDeliveryException.of(
              AuditDeliveryException.Failure.TOO_LARGE,
              what + " for a batch of " + events.size() + " events");
      case 429, 503 -> {
        Optional<Duration> retryAfter = retryAfter(headers.firstValue("Retry-After"));
        String message = what + " " + quote(body);
        if (retryAfter.isPresent()) {
          throw AuditDeliveryException.unavailable(message, retryAfter.get());
        }
        throw AuditDeliveryException.of(AuditDeliveryException.Failure.UNAVAILABLE, message);
      }
      default -> {
        if (status >= 500 && status <= 599) {
          throw AuditDeliveryException.of(
              AuditDeliveryException.Failure.SERVER_ERROR, what + " " + quote(body));
        }
        throw AuditDeliveryException.of(
            AuditDeliveryException.Failure.UNEXPECTED_STATUS, what + " " + quote(body));
      }
    }
  }

  /** A top-level integer field of a JSON object answer, if there is one. */
  static OptionalLong number(byte[] body, String field) {
    if (body.length == 0 || body.length > MAX_ANSWER_BYTES) {
      return OptionalLong.empty();
    }
    try (JsonParser json = JSON.createParser(ObjectReadContext.empty(), body)) {
      if (json.nextToken() != JsonToken.START_OBJECT) {
        return OptionalLong.empty();
      }
      JsonToken token;
      while ((token = json.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = json.currentName();
        token = json.nextToken();
        if (name.equals(field) && token == JsonToken.VALUE_NUMBER_INT) {
          return OptionalLong.of(json.getLongValue());
        }
        json.skipChildren();
      }
      return OptionalLong.empty();
    } catch (JacksonException e) {
      return OptionalLong.empty();
    }
  }

  /** The collector's own words, shortened and printable, for the log. */
  private static String quote(byte[] body) {
    String text =
        new String(body, 0, Math.min(body.length, MAX_QUOTED_ERROR), StandardCharsets.UTF_8);
    StringBuilder printable = new StringBuilder(text.length() + 2).append('\'');
    text.codePoints().forEach(c -> printable.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    if (body.length > MAX_QUOTED_ERROR) {
      printable.append("...");
    }
    return printable.append('\'').toString();
  }

  /** Retry-After in seconds or as an HTTP date (RFC 9110 section 10.2.3). */
  static Optional<Duration> retryAfter(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      try {
        Duration wait =
            Duration.between(
                ZonedDateTime.now(java.time.ZoneOffset.UTC),
                ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
