package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.sdk.workload.WorkloadTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Policies from the platform's policy API over mutual TLS: {@code GET {base}/v1/policies/{name}},
 * answered {@code 200 {"name", "version", "policies", "schema"?}} with an {@code ETag}, and polled
 * with {@code If-None-Match} so an unchanged store costs a {@code 304}.
 *
 * <p>A failed fetch (network, TLS, 403, 404, 5xx, a malformed answer) is reported as {@link
 * Update.Failed}: the authorizer keeps its last good set, or denies everything if it never had one.
 */
public final class PolicyApiSource implements PolicySource {
  private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // A policy store is text written by people; an answer larger than this is not one.
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final HttpClient http;
  private final URI uri;
  private final String store;
  private final Duration timeout;
  private final Object lock = new Object();
  private Optional<String> etag = Optional.empty();

  private PolicyApiSource(HttpClient http, URI uri, String store, Duration timeout) {
    this.http = http;
    this.uri = uri;
    this.store = store;
    this.timeout = timeout;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Update poll() {
    synchronized (lock) {
      return pollLocked();
    }
  }

  private Update pollLocked() {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    etag.ifPresent(tag -> request.header("If-None-Match", tag));
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return new Update.Failed("cannot fetch " + uri + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Update.Failed("interrupted while fetching " + uri);
    }
    return switch (response.statusCode()) {
      case 200 -> fetched(response);
      case 304 -> new Update.Unchanged();
      case 403 ->
          new Update.Failed(
              uri + " answered 403: this workload may not read policy store '" + store + "'");
      case 404 -> new Update.Failed(uri + " answered 404: no policy store '" + store + "'");
      default -> new Update.Failed(uri + " answered " + response.statusCode());
    };
  }

  @Override
  public String describe() {
    return uri.toString();
  }

  private Update fetched(HttpResponse<byte[]> response) {
    if (response.body().length > MAX_BODY) {
      return new Update.Failed(
          uri
              + " answered "
              + response.body().length
              + " bytes (expected: at most "
              + MAX_BODY
              + ")");
    }
    Map<String, Object> body;
    try {
      body = JSONObjectUtils.parse(new String(response.body(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      return new Update.Failed(uri + " answered 200 with a body that is not a JSON object");
    }
    if (!store.equals(body.get("name"))) {
      return new Update.Failed(
          uri + " answered the store " + body.get("name") + " (expected: '" + store + "')");
    }
    if (!(body.get("version") instanceof Number version)
        || version.doubleValue() != version.longValue()
        || version.longValue() < 0) {
      return new Update.Failed(uri + " answered no whole-number \"version\"");
    }
    if (!(body.get("policies") instanceof String policies)) {
      return new Update.Failed(uri + " answered no \"policies\" text");
    }
    Object schema = body.get("schema");
    if (schema != null && !(schema instanceof String)) {
      return new Update.Failed(uri + " answered a \"schema\" that is not text");
    }
    // Remembered before parsing: a version that does not parse is reported once, not refetched
    // and re-reported at every poll; the next version has a new tag.
    etag = response.headers().firstValue("ETag").or(() -> Optional.of(quoted(version)));
    try {
      return new Update.Changed(
          PolicyBundle.parse(
              policies,
              Optional.ofNullable((String) schema),
              Optional.empty(),
              Long.toString(version.longValue())));
    } catch (PolicyException e) {
      return new Update.Failed(
          "version " + version.longValue() + " of policy store '" + store + "': " + e.getMessage());
    }
  }

  private static String quoted(Number version) {
    return "\"" + version.longValue() + "\"";
  }

  /** Builds a {@link PolicyApiSource}. */
  public static final class Builder {
    private URI baseUri;
    private String store;
    private SSLContext sslContext;
    private Duration timeout = Duration.ofSeconds(10);

    private Builder() {}

    /** The policy API's base URI, {@code https://host:port}. */
    public Builder baseUri(URI baseUri) {
      WorkloadTls.httpsBase(baseUri, "policy API");
      this.baseUri = baseUri;
      return this;
    }

    /** The policy store to read, e.g. {@code payments}. */
    public Builder store(String store) {
      requireNonNull(store, "store");
      if (!STORE_NAME.matcher(store).matches()) {
        throw new IllegalArgumentException(
            "store: '"
                + store
                + "' (expected: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with . _ -)");
      }
      this.store = store;
      return this;
    }

    /**
     * The TLS context: it must present this workload's SVID and verify the policy service by its
     * SPIFFE ID, as {@code WorkloadIdentity.clientContext(PeerAuthorizer.only(policyServiceId))}
     * does.
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** How long a fetch may take, connecting included (default 10 seconds). */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The source.
     *
     * @throws IllegalStateException if the base URI, the store or the SSL context is missing
     */
    public PolicyApiSource build() {
      if (baseUri == null) {
        throw new IllegalStateException("baseUri: not set (expected: https://host:port)");
      }
      if (store == null) {
        throw new IllegalStateException("store: not set (expected: a policy store name)");
      }
      if (sslContext == null) {
        throw new IllegalStateException(
            "sslContext: not set (expected: a context presenting this workload's SVID)");
      }
      String base = WorkloadTls.httpsBase(baseUri, "policy API");
      HttpClient http = WorkloadTls.httpClient(sslContext, timeout);
      return new PolicyApiSource(http, URI.create(base + "/v1/policies/" + store), store, timeout);
    }
  }
}
