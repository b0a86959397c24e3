package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * The CA's HTTP API over TLS 1.3, verifying on every call that the server is the CA: an SVID of the
 * current bundle naming the CA's SPIFFE ID. Each call uses a new client, closed afterwards, so no
 * pooled connection outlives the certificate or the trust it was opened with.
 */
final class HttpCaClient implements CaClient {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_BODY = 1024 * 1024;
  private static final String JSON = "application/json";

  private final String base;
  private final SpiffeId caId;
  private final Clock clock;
  private final Duration timeout;

  HttpCaClient(URI caUrl, SpiffeId caId, Clock clock, Duration timeout) {
    String url = requireNonNull(caUrl, "caUrl").toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.caId = requireNonNull(caId, "caId");
    this.clock = requireNonNull(clock, "clock");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  @Override
  public SvidResponse attest(byte[] csr, Attestation attestation, Credentials credentials)
      throws WorkloadIdentityException {
    String body = CaMessages.svidRequest(csr, attestation);
    return CaMessages.svidResponse(
        call("/v1/svid", Optional.of(body), credentials), caId.trustDomain());
  }

  @Override
  public SvidResponse renew(byte[] csr, Credentials credentials) throws WorkloadIdentityException {
    return CaMessages.svidResponse(
        call("/v1/svid/renew", Optional.of(CaMessages.renewRequest(csr)), credentials),
        caId.trustDomain());
  }

  @Override
  public TrustBundle bundle(Credentials credentials) throws WorkloadIdentityException {
    return CaMessages.bundleResponse(
        call("/v1/bundle", Optional.empty(), credentials), caId.trustDomain());
  }

  @Override
  public DenyList denyList(Credentials credentials) throws WorkloadIdentityException {
    return CaMessages.denyListResponse(call("/v1/denylist", Optional.empty(), credentials));
  }

  private String call(String path, Optional<String> body, Credentials credentials)
      throws WorkloadIdentityException {
    String call = (body.isPresent() ? "POST " : "GET ") + base + path;
    AtomicReference<PeerRefusal> refusal = new AtomicReference<>();
    SpiffeTrustManager trust =
        new SpiffeTrustManager(
            credentials::bundle,
            credentials::denyList,
            PeerAuthorizer.only(caId),
            clock,
            refusal::set);
    SSLContext context =
        credentials
            .svid()
            .map(svid -> WorkloadTls.clientContext(new ReloadableKeyManager(svid.key()), trust))
            .orElseGet(() -> WorkloadTls.anonymousClientContext(trust));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", JSON);
    if (body.isPresent()) {
      request
          .header("Content-Type", JSON)
          .POST(HttpRequest.BodyPublishers.ofString(body.get(), StandardCharsets.UTF_8));
    }
    try (HttpClient client =
        HttpClient.newBuilder()
            .sslContext(context)
            .sslParameters(WorkloadTls.clientParameters())
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()) {
      HttpResponse<InputStream> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      String answer = read(response.body(), call);
      if (response.statusCode() != 200) {
        throw CaMessages.failure(response.statusCode(), answer, call);
      }
      return answer;
    } catch (IOException e) {
      PeerRefusal refused = refusal.get();
      if (refused != null) {
        throw new WorkloadIdentityException(
            Code.CA_NOT_TRUSTED,
            call + ": the server is not trusted as the CA " + caId + ": " + refused.reason(),
            e);
      }
      throw new WorkloadIdentityException(Code.CA_UNREACHABLE, call + " failed: " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkloadIdentityException(Code.INTERRUPTED, call + " was interrupted", e);
    }
  }

  private static String read(InputStream stream, String call)
      throws IOException, WorkloadIdentityException {
    try (InputStream in = stream) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new WorkloadIdentityException(
            Code.INVALID_RESPONSE, call + " answered with more than " + MAX_BODY + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  // Many I/O exceptions (a refused connection, a timeout) carry no message of their own.
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && text.length() < 300; t = t.getCause()) {
      if (!text.isEmpty()) {
        text.append(": ");
      }
      text.append(t.getClass().getSimpleName());
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        text.append(" (").append(t.getMessage()).append(')');
      }
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return "HttpCaClient{" + base + ", " + caId + "}";
  }
}
