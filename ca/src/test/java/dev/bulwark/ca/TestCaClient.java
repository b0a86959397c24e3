package dev.bulwark.ca;

import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.WorkloadTls;
import dev.bulwark.sdk.workload.X509Svid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A workload talking to the CA over HTTPS with the JDK client: anonymous or with its SVID, always
 * verifying that the server is the CA by its SPIFFE ID. Every client is new, so every request below
 * gets a fresh handshake.
 */
final class TestCaClient implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;
  private final URI base;

  private TestCaClient(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
  }

  /** A client presenting no certificate. */
  static TestCaClient anonymous(CaServer server) {
    try {
      SSLContext context = SSLContext.getInstance(WorkloadTls.TLS_13);
      context.init(null, new TrustManager[] {trust(server)}, null);
      return new TestCaClient(HttpClient.newBuilder().sslContext(context).build(), server.url());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client presenting {@code svid}. */
  static TestCaClient as(X509Svid svid, CaServer server) {
    SSLContext context = WorkloadTls.context(new ReloadableKeyManager(svid.key()), trust(server));
    return new TestCaClient(HttpClient.newBuilder().sslContext(context).build(), server.url());
  }

  private static SpiffeTrustManager trust(CaServer server) {
    TrustBundle bundle = server.bundle();
    return new SpiffeTrustManager(
        () -> bundle,
        () -> DenyList.EMPTY,
        PeerAuthorizer.only(server.spiffeId()),
        Clock.systemUTC(),
        refusal -> {});
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(path, "POST", "application/json", json);
  }

  HttpResponse<String> send(String path, String method, String contentType, String body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    http.close();
  }

  static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  static String issueBody(byte[] csr, String type, String token) {
    return JSON.createObjectNode()
        .put("csr", Base64.getEncoder().encodeToString(csr))
        .set("attestation", JSON.createObjectNode().put("type", type).put("token", token))
        .toString();
  }

  static String renewBody(byte[] csr) {
    return JSON.createObjectNode().put("csr", Base64.getEncoder().encodeToString(csr)).toString();
  }

  /** The SVID an answer of the CA carries, with the key the workload kept. */
  static X509Svid svid(HttpResponse<String> response, PrivateKey key) {
    JsonNode body = json(response);
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (JsonNode certificate : body.get("chain")) {
        chain.add(
            (X509Certificate)
                factory.generateCertificate(
                    new ByteArrayInputStream(Base64.getDecoder().decode(certificate.asString()))));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return new X509Svid(
        SpiffeId.parse(body.get("spiffe_id").asString()), new CertifiedKey(key, chain));
  }
}
