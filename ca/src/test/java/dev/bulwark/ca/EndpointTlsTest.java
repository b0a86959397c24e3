package dev.bulwark.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS listener with certificates from the CA: TLS 1.3 only, HTTP/2, hot swap, client
 * certificates.
 */
class EndpointTlsTest {
  private final CertificateAuthority authority = TestEndpoints.authority("Test CA");
  private final Metrics metrics = Metrics.create();
  private HttpListener listener;

  @AfterEach
  void stop() {
    if (listener != null) {
      listener.close();
    }
    metrics.close();
  }

  private HttpListener start(
      ReloadableKeyManager keyManager, List<X509Certificate> clientAnchors, ClientAuth clientAuth) {
    listener =
        HttpListener.builder("test")
            .tls(TlsContexts.server(keyManager, clientAnchors), clientAuth)
            .metrics(metrics)
            .routes(
                r ->
                    r.get(
                        "/peer",
                        (req, res) ->
                            res.send(
                                req.remotePeer()
                                    .tlsCertificates()
                                    .filter(chain -> chain.length > 0)
                                    .map(
                                        chain ->
                                            ((X509Certificate) chain[0])
                                                .getSubjectX500Principal()
                                                .getName())
                                    .orElse("anonymous"))))
            .start();
    return listener;
  }

  private HttpClient client(SSLContext context, HttpClient.Version version) {
    return HttpClient.newBuilder().sslContext(context).version(version).build();
  }

  private SSLContext trustingAuthority() {
    return TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  }

  @Test
  void servesHttp2OverTls13() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(),
        ClientAuth.NONE);

    try (HttpClient http = client(trustingAuthority(), HttpClient.Version.HTTP_2)) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/peer")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }
  }

  @Test
  void refusesTls12Client() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(),
        ClientAuth.NONE);
    SSLParameters tls12 = new SSLParameters();
    tls12.setProtocols(new String[] {"TLSv1.2"});
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(null, null, null);

    try (HttpClient http =
        HttpClient.newBuilder().sslContext(context).sslParameters(tls12).build()) {
      assertRefused(http);
    }
  }

  @Test
  void presentsRenewedCertificateOnNextHandshakeWithoutRestart() throws Exception {
    ReloadableKeyManager keyManager =
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server"));
    start(keyManager, List.of(), ClientAuth.NONE);
    BigInteger before = servedSerial();

    CertifiedKey renewed = TestEndpoints.loopback(authority, "server");
    keyManager.update(renewed);

    assertThat(servedSerial()).isNotEqualTo(before).isEqualTo(renewed.leaf().getSerialNumber());
  }

  @Test
  void requiredClientCertificateRefusesAnonymousClient() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(authority.certificate()),
        ClientAuth.REQUIRED);

    try (HttpClient http = client(trustingAuthority(), HttpClient.Version.HTTP_1_1)) {
      assertRefused(http);
    }
  }

  @Test
  void requiredClientCertificateFromAnotherAuthorityIsRefused() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(authority.certificate()),
        ClientAuth.REQUIRED);
    CertificateAuthority stranger = TestEndpoints.authority("Stranger CA");
    SSLContext context =
        TlsContexts.client(
            List.of(authority.certificate()),
            Optional.of(new ReloadableKeyManager(TestEndpoints.loopback(stranger, "intruder"))));

    try (HttpClient http = client(context, HttpClient.Version.HTTP_1_1)) {
      assertRefused(http);
    }
  }

  @Test
  void requiredClientCertificateIsVisibleToHandlers() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(authority.certificate()),
        ClientAuth.REQUIRED);
    SSLContext context =
        TlsContexts.client(
            List.of(authority.certificate()),
            Optional.of(new ReloadableKeyManager(TestEndpoints.loopback(authority, "payments"))));

    try (HttpClient http = client(context, HttpClient.Version.HTTP_1_1)) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/peer")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("CN=payments");
    }
  }

  @Test
  void healthAndMetricsAreServed() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(),
        ClientAuth.NONE);

    try (HttpClient http = client(trustingAuthority(), HttpClient.Version.HTTP_1_1)) {
      http.send(
          HttpRequest.newBuilder(listener.url().resolve("/peer")).build(),
          HttpResponse.BodyHandlers.discarding());
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> metricsPage =
          http.send(
              HttpRequest.newBuilder(listener.url().resolve("/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"UP\"");
      assertThat(metricsPage.body())
          .contains("http_server_requests_seconds_count{component=\"test\"");
    }
  }

  @Test
  void clientChosenMethodsDoNotBecomeMetricTags() throws Exception {
    start(
        new ReloadableKeyManager(TestEndpoints.loopback(authority, "server")),
        List.of(),
        ClientAuth.NONE);

    try (HttpClient http = client(trustingAuthority(), HttpClient.Version.HTTP_1_1)) {
      for (String method : List.of("FOOA", "FOOB", "FOOC")) {
        http.send(
            HttpRequest.newBuilder(listener.url().resolve("/peer"))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
      }
      String page =
          http.send(
                  HttpRequest.newBuilder(listener.url().resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(page).doesNotContain("FOOA").contains("method=\"OTHER\"");
    }
  }

  private BigInteger servedSerial() throws IOException {
    try (SSLSocket socket =
        (SSLSocket)
            trustingAuthority()
                .getSocketFactory()
                .createSocket(URI.create(listener.url().toString()).getHost(), listener.port())) {
      socket.startHandshake();
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return ((X509Certificate) chain[0]).getSerialNumber();
    }
  }

  private void assertRefused(HttpClient http) {
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(listener.url().resolve("/peer")).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .as("the TLS handshake is refused")
        .isInstanceOf(IOException.class);
  }
}
