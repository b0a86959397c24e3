package dev.bulwark.gateway;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.OpenApiContract;
import dev.bulwark.gateway.validation.RequestLimits;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests written byte by byte over real TLS 1.3 to a real gateway: each is refused, by
 * the listener's HTTP/1.1 parser or by the route's {@link RequestScreen}, before the upstream
 * (which counts what it receives) sees anything.
 */
class HostileRequestsTest {
  private static final String AUDIENCE = "urn:test:echo";

  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Hostile test CA", Duration.ofDays(1), Clock.systemUTC());
  private final Metrics metrics = Metrics.create();
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private ECKey signingKey;
  private HttpListener issuer;
  private HttpListener upstream;
  private Gateway gateway;
  private SSLContext clientTls;
  private String token;

  @BeforeEach
  void start() throws Exception {
    signingKey =
        new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
    String jwks = new JWKSet(signingKey.toPublicJWK()).toString();
    issuer = listener("issuer").routes(r -> r.get("/jwks", (req, res) -> res.send(jwks))).start();
    upstream =
        listener("echo")
            .routes(
                r ->
                    r.any(
                        "/*",
                        (req, res) -> {
                          upstreamRequests.incrementAndGet();
                          req.content().consume();
                          res.send("{\"ok\":true}");
                        }))
            .start();
    clientTls = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    RequestLimits limits =
        new RequestLimits(64 * 1024, 50, 8 * 1024, 2048, 32, 64 * 1024, Set.of("application/json"));
    RouteSpec echo =
        RouteSpec.of(
            new Route("echo", "/echo", upstream.url(), AUDIENCE),
            UpstreamPolicy.defaults(List.of(upstream.url()), Duration.ofSeconds(10)));
    gateway =
        Gateway.builder()
            .routes(
                new GatewayRoutes(
                    List.of(
                        echo.withLimits(limits)
                            .withContract(
                                OpenApiContract.load(
                                    Path.of("src/test/resources/openapi/echo.yaml"))),
                        RouteSpec.of(
                            new Route("plain", "/plain", upstream.url(), AUDIENCE),
                            UpstreamPolicy.defaults(
                                List.of(upstream.url()), Duration.ofSeconds(10)))),
                    List.of(
                        TrustedIssuer.ofJwts(
                            issuer.url().toString(),
                            issuer.url().resolve("/jwks"),
                            Set.of("ES256")))))
            .issuerTls(clientTls)
            .upstreamTls(route -> clientTls)
            .policy(RoutePolicy.reference(AuditSink.log(), Clock.systemUTC()))
            // A longer request line than the screen allows, so both limits can be tried.
            .listener(listener("gateway").maxPrologueLength(8192))
            .start();
    token =
        TestEndpoints.accessToken(
            signingKey, issuer.url().toString(), AUDIENCE, "client-1", java.util.Map.of());
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
    issuer.close();
    metrics.close();
  }

  private HttpListener.Builder listener(String name) throws Exception {
    return TestEndpoints.listener(authority, metrics, name);
  }

  /** What came back on the socket: the status code and everything after the status line. */
  private record Answer(int status, String rest) {}

  /**
   * Sends {@code method target} with a valid token, then {@code fields} (whole header lines, CRLF
   * added unless a line already ends in LF) and {@code body}, exactly as written.
   */
  private Answer send(String method, String target, List<String> fields, String body)
      throws IOException {
    StringBuilder request =
        new StringBuilder(method + " " + target + " HTTP/1.1\r\n")
            .append("Host: 127.0.0.1\r\n")
            .append("Authorization: Bearer ")
            .append(token)
            .append("\r\n");
    for (String field : fields) {
      request.append(field).append(field.endsWith("\n") ? "" : "\r\n");
    }
    request.append("Connection: close\r\n\r\n").append(body);
    return raw(request.toString().getBytes(ISO_8859_1));
  }

  private Answer raw(byte[] request) throws IOException {
    try (SSLSocket socket =
        (SSLSocket)
            clientTls.getSocketFactory().createSocket("127.0.0.1", gateway.url().getPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3"});
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      try {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // The server answered and closed before taking the whole request: read its answer.
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | javax.net.ssl.SSLException e) {
        // The server may keep the connection or reset it; what it sent so far is the answer.
      }
      String text = answer.toString(ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        return new Answer(0, text);
      }
      return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(12));
    }
  }

  private static final String JSON = "Content-Type: application/json";
  private static final String KEY = "X-Idempotency-Key: key-0001-abcd";

  private static final String PAYMENT = "{\"amount\":1,\"currency\":\"EUR\"}";

  private Answer post(String body, String... fields) throws IOException {
    List<String> all = new java.util.ArrayList<>(List.of(fields));
    all.add(KEY);
    return send("POST", "/echo/payments", all, body);
  }

  private Answer get(String target, String... fields) throws IOException {
    return send("GET", target, List.of(fields), "");
  }

  /** Refused with {@code status} by the listener's HTTP/1.1 parser, before any handler ran. */
  private void assertListenerRefused(Answer answer, int status) {
    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.rest()).containsIgnoringCase("Connection: close").doesNotContain("\"error\"");
    assertThat(upstreamRequests).hasValue(0);
  }

  /** Refused with {@code status} and {@code error} by the gateway, which then closed. */
  private void assertGatewayRefused(Answer answer, int status, String error) {
    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.rest())
        .contains("\"error\":\"" + error + "\"")
        .containsIgnoringCase("Connection: close");
    assertThat(answer.rest())
        .as("a second answer on a refused connection")
        .doesNotContain("HTTP/1.1 ");
    assertThat(upstreamRequests).hasValue(0);
  }

  @Test
  void forwardsARequestThatKeepsEveryRule() throws Exception {
    Answer answer = post(PAYMENT, JSON, "Content-Length: " + PAYMENT.length());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(upstreamRequests).hasValue(1);
  }

  @Test
  void stillNegotiatesHttp2WithTheListenerLimitsSet() throws Exception {
    try (HttpClient http = HttpClient.newBuilder().sslContext(clientTls).build()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(gateway.url().resolve("/echo/payments?limit=5"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }
  }

  @Test
  void listenerRefusesAmbiguousMessageFraming() throws Exception {
    String chunked = "2\r\n{}\r\n0\r\n\r\n";
    assertListenerRefused(
        post("0\r\n\r\n", JSON, "Content-Length: 5", "Transfer-Encoding: chunked"), 400);
    assertListenerRefused(post("{}", JSON, "Content-Length: 2", "Content-Length: 2"), 400);
    assertListenerRefused(post("{}", JSON, "Content-Length: 2, 2"), 400);
    assertListenerRefused(post(chunked, JSON, "Transfer-Encoding:", " chunked"), 400);
    assertListenerRefused(post(chunked, JSON, "Transfer-Encoding: chunked, identity"), 400);
  }

  @Test
  void listenerRefusesMalformedHeaderFields() throws Exception {
    assertListenerRefused(get("/echo/payments", "X Bad: 1"), 400);
    assertListenerRefused(
        post("{}", JSON, "Transfer-Encoding : chunked", "Content-Length: 2"), 400);
    assertListenerRefused(get("/echo/payments", "X-A: a\rb"), 400);
    assertListenerRefused(get("/echo/payments", "X-A: a\nX-B: b"), 400);
    assertListenerRefused(get("/echo/payments", "X-A: a\u0000b"), 400);
  }

  @Test
  void refusesPathTricks() throws Exception {
    for (String path :
        List.of("/echo/%2e%2e/admin", "/echo/..%2fadmin", "/echo/a%2Fb", "/echo/..%5cadmin")) {
      assertGatewayRefused(get(path), 400, "invalid_request");
    }
    Answer doubleEncoded = get("/echo/%252e%252e/admin");
    assertGatewayRefused(doubleEncoded, 400, "invalid_request");
    assertThat(doubleEncoded.rest()).contains("percent-encoded escape");
    assertGatewayRefused(get("/echo/..\\admin"), 400, "invalid_request");
  }

  @Test
  void refusesAnOverlongUriWith414() throws Exception {
    assertGatewayRefused(get("/echo/payments?q=" + "a".repeat(3000)), 414, "uri_too_long");
    // Past the listener's request-line limit its parser answers before routing.
    assertListenerRefused(get("/echo/payments?q=" + "a".repeat(9000)), 414);
  }

  @Test
  void refusesTooManyHeadersWith431() throws Exception {
    String[] fields =
        java.util.stream.IntStream.range(0, 60)
            .mapToObj(i -> "X-H" + i + ": v")
            .toArray(String[]::new);

    assertGatewayRefused(get("/echo/payments", fields), 431, "headers_too_large");
  }

  @Test
  void refusesAnOversizedHeaderSection() throws Exception {
    assertGatewayRefused(
        get("/echo/payments", "X-Big: " + "v".repeat(10_000)), 431, "headers_too_large");
    // Past the listener's header-section limit its parser answers, with no body.
    assertListenerRefused(get("/echo/payments", "X-Big: " + "v".repeat(20_000)), 431);
  }

  @Test
  void refusesAnOversizedBodyAndNeverReadsWhatFollowsItAsARequest() throws Exception {
    String smuggled =
        "GET /echo/payments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + token
            + "\r\n\r\n";
    String body = smuggled + "x".repeat(100_000 - smuggled.length());

    assertGatewayRefused(
        post(body, JSON, "Content-Length: " + body.length()), 413, "request_too_large");

    String chunk = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    assertGatewayRefused(post(chunk, JSON, "Transfer-Encoding: chunked"), 413, "request_too_large");
  }

  @Test
  void refusesJsonNestedAThousandDeep() throws Exception {
    String deep = "[".repeat(1000) + "]".repeat(1000);

    Answer answer = post(deep, JSON, "Content-Length: " + deep.length());

    assertGatewayRefused(answer, 400, "invalid_request");
    assertThat(answer.rest()).contains("nested deeper than 32");
  }

  @Test
  void refusesAnUnlistedContentTypeWith415() throws Exception {
    assertGatewayRefused(
        post("<a/>", "Content-Type: text/xml", "Content-Length: 4"), 415, "unsupported_media_type");
  }

  @Test
  void refusesAContractViolationWith400() throws Exception {
    String wrong = "{\"amount\":\"x\",\"currency\":\"EUR\"}";

    Answer answer = post(wrong, JSON, "Content-Length: " + wrong.length());

    assertGatewayRefused(answer, 400, "schema_violation");
    assertThat(answer.rest()).contains("body: /amount: expected integer, number");
  }

  @Test
  void refusesOperationsTheContractDoesNotDefine() throws Exception {
    assertGatewayRefused(get("/echo/admin"), 404, "not_found");
    Answer delete = send("DELETE", "/echo/payments", List.of(), "");
    assertGatewayRefused(delete, 405, "method_not_allowed");
    assertThat(delete.rest()).contains("Allow: GET, POST");
  }
}
