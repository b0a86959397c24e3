package dev.bulwark.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.gateway.internal.Poller;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.WorkloadTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Route policies from the platform's policy store ({@code GET /v1/policies/{name}} over mutual TLS,
 * docs/policy.md), polled with {@code If-None-Match} so an unchanged set costs a 304. A new set is
 * validated before it goes live; a fetch that fails or brings an invalid set keeps the live one.
 */
public final class PolicyStoreClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStoreClient.class);
  private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI uri;
  private final String name;
  private final HttpClient http;
  private final RoutePolicy target;
  private volatile Optional<String> etag = Optional.empty();
  private Poller poller;

  private PolicyStoreClient(URI uri, String name, HttpClient http, RoutePolicy target) {
    this.uri = uri;
    this.name = name;
    this.http = http;
    this.target = target;
  }

  /**
   * Fetches the set {@code name} from the store at {@code base} into {@code target} now, then every
   * {@code interval}.
   *
   * @param tls the workload's client context, which pins the store's SPIFFE ID
   */
  public static PolicyStoreClient poll(
      URI base, String name, SSLContext tls, RoutePolicy target, Duration interval) {
    requireNonNull(base, "base");
    requireNonNull(name, "name");
    requireNonNull(tls, "tls");
    requireNonNull(target, "target");
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(tls)
            .sslParameters(WorkloadTls.clientParameters())
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    URI uri = base.resolve("/v1/policies/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    PolicyStoreClient client = new PolicyStoreClient(uri, name, http, target);
    client.refresh();
    client.poller = Poller.every(interval, "policy-store-" + name, client::refresh);
    return client;
  }

  /**
   * Asks the store for a newer set and makes it live if it is valid.
   *
   * @return whether a new set went live
   */
  public boolean refresh() {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
    etag.ifPresent(tag -> request.header("If-None-Match", tag));
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
    } catch (IOException e) {
      LOG.warn(
          "cannot fetch policy set {} from {}: {}; the live set stays", name, uri, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    int status = response.statusCode();
    if (status == 304) {
      return false;
    }
    if (status != 200 || body.length > MAX_BODY_BYTES) {
      LOG.warn(
          "policy store answered {} for set {} ({} bytes); the live set stays",
          status,
          name,
          body.length);
      return false;
    }
    try {
      JsonNode set = Json.MAPPER.readTree(body);
      JsonNode policies = set.path("policies");
      JsonNode version = set.path("version");
      JsonNode schema = set.path("schema");
      if (!policies.isString() || !version.isIntegralNumber()) {
        LOG.warn("policy store's answer for set {} lacks policies or version", name);
        return false;
      }
      PolicyDocument document =
          PolicyDocument.parse(
              policies.asString(),
              schema.isString() ? Optional.of(schema.asString()) : Optional.empty());
      target.replace(document, Long.toString(version.asLong()));
      etag = response.headers().firstValue("ETag");
      return true;
    } catch (JacksonException e) {
      LOG.warn("policy store's answer for set {} is not JSON", name);
    } catch (PolicyException e) {
      LOG.error(
          "policy set {} from the store is invalid ({}: {}); the live set stays",
          name,
          e.code(),
          e.getMessage());
    }
    return false;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.close();
    }
    http.close();
  }
}
