package dev.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.policy.DecisionAudit;
import dev.bulwark.sdk.policy.DirectoryPolicySource;
import dev.bulwark.sdk.policy.PolicyBundle;
import dev.bulwark.sdk.policy.PolicySource;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway between a real HTTPS client and a real HTTPS upstream that echoes what it received,
 * with an issuer that serves a JWKS.
 */
class GatewayTest {
  private static final String AUDIENCE = "urn:test:echo";

  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Gateway test CA", Duration.ofDays(1), Clock.systemUTC());
  private final Metrics metrics = Metrics.create();
  private ECKey signingKey;
  private HttpListener issuer;
  private HttpListener upstream;
  private HttpListener impostor;
  private SSLContext clientTls;
  private Gateway gateway;
  private HttpClient http;
  private final List<AuditEvent> audited = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    signingKey =
        new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
    String jwks = new JWKSet(signingKey.toPublicJWK()).toString();
    issuer = listener("issuer").routes(r -> r.get("/jwks", (req, res) -> res.send(jwks))).start();
    upstream =
        listener("echo")
            .maxPayloadSize(64L * 1024 * 1024)
            .routes(
                r ->
                    r.any("/echo", GatewayTest::echo)
                        .any("/echo/*", GatewayTest::echo)
                        .any("/slow", GatewayTest::slow))
            .start();
    // Same CA, but a certificate that names another host: must not be accepted for 127.0.0.1.
    impostor =
        HttpListener.builder("impostor")
            .tls(
                TlsContexts.server(
                    new ReloadableKeyManager(
                        authority.issueEndpointCertificate(
                            "impostor", List.of("wrong.example"), List.of(), Duration.ofHours(1))),
                    List.of()),
                TlsContexts.ClientAuth.NONE)
            .metrics(metrics)
            .routes(r -> r.any("/impostor", (req, res) -> res.send("should not be reached")))
            .start();
    SSLContext client = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    GatewaySettings settings =
        new GatewaySettings(Duration.ofSeconds(30), Duration.ofMillis(800), 16 * 1024 * 1024);
    gateway =
        Gateway.builder()
            .settings(settings)
            .routes(
                GatewayRoutes.plain(
                    settings,
                    List.of(
                        new Route("echo", "/echo", upstream.url(), AUDIENCE),
                        new Route("slow", "/slow", upstream.url(), AUDIENCE),
                        new Route("down", "/down", URI.create("https://127.0.0.1:1"), AUDIENCE),
                        new Route("impostor", "/impostor", impostor.url(), AUDIENCE)),
                    issuer.url().toString(),
                    issuer.url().resolve("/jwks")))
            .issuerTls(client)
            .upstreamTls(route -> client)
            .policy(RoutePolicy.reference(AuditSink.log(), Clock.systemUTC()))
            .audit(audited::add)
            .listener(listener("gateway"))
            .start();
    http = HttpClient.newBuilder().sslContext(client).build();
    clientTls = client;
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.close();
    impostor.close();
    issuer.close();
    metrics.close();
    http.close();
  }

  private HttpListener.Builder listener(String name) throws Exception {
    return TestEndpoints.listener(authority, metrics, name);
  }

  private static void echo(ServerRequest req, ServerResponse res) throws Exception {
    ObjectNode body = Json.object();
    ObjectNode headers = body.putObject("headers");
    for (Header header : req.headers()) {
      headers.put(header.name().toLowerCase(java.util.Locale.ROOT), header.allValues().toString());
    }
    body.put("path", req.path().rawPath());
    body.put("query", req.query().rawValue());
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long size = 0;
    try (InputStream in = req.content().inputStream()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        size += n;
      }
    }
    body.put("body_sha256", HexFormat.of().formatHex(sha.digest()));
    body.put("body_size", size);
    res.header(HeaderNames.CONNECTION, "keep-alive");
    res.header("X-Upstream", "echo");
    try (OutputStream out = res.outputStream()) {
      out.write(Json.bytes(body));
    }
  }

  private static void slow(ServerRequest req, ServerResponse res) throws InterruptedException {
    Thread.sleep(3_000);
    res.send("late");
  }

  private String token(String audience) throws Exception {
    return token(audience, "client-1", Map.of());
  }

  private String token(String audience, String subject, Map<String, Object> claims)
      throws Exception {
    return TestEndpoints.accessToken(
        signingKey, issuer.url().toString(), audience, subject, claims);
  }

  private HttpResponse<String> call(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder to(String path) throws Exception {
    return HttpRequest.newBuilder(gateway.url().resolve(path))
        .header("Authorization", "Bearer " + token(AUDIENCE));
  }

  @Test
  void forwardsPathQueryAndTokenToTheUpstream() throws Exception {
    HttpResponse<String> response = call(to("/echo/a/b?x=1&y=two"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode echoed = Json.MAPPER.readTree(response.body());
    assertThat(echoed.path("path").asString()).isEqualTo("/echo/a/b");
    assertThat(echoed.path("query").asString()).isEqualTo("x=1&y=two");
    assertThat(echoed.path("headers").path("authorization").asString()).startsWith("[Bearer ");
    assertThat(response.headers().firstValue("X-Upstream")).hasValue("echo");
  }

  @Test
  void stripsIdentityHeadersTheClientAsserts() throws Exception {
    HttpResponse<String> response =
        call(
            to("/echo")
                .header("X-User", "admin")
                .header("X-Forwarded-User", "admin")
                .header("X-Forwarded-For", "10.9.9.9")
                .header("Forwarded", "for=10.9.9.9"));

    JsonNode headers = Json.MAPPER.readTree(response.body()).path("headers");
    assertThat(headers.has("x-user")).isFalse();
    assertThat(headers.has("x-forwarded-user")).isFalse();
    assertThat(headers.has("forwarded")).isFalse();
    assertThat(headers.path("x-forwarded-for").asString()).isEqualTo("[127.0.0.1]");
  }

  @Test
  void issuesItsOwnRequestIdAndPassesItOn() throws Exception {
    HttpResponse<String> response =
        call(to("/echo").header("X-Request-Id", "chosen-by-client-0001"));

    String issued = response.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(issued)
        .as("an outside client does not choose the id")
        .isNotEqualTo("chosen-by-client-0001");
    assertThat(
            Json.MAPPER.readTree(response.body()).path("headers").path("x-request-id").asString())
        .isEqualTo("[" + issued + "]");
  }

  @Test
  void malformedRequestIdIsReplaced() throws Exception {
    HttpResponse<String> response = call(to("/echo").header("X-Request-Id", "short"));

    assertThat(response.headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).isNotEqualTo("short").hasSize(24));
  }

  @Test
  void doesNotPassHopByHopHeadersBack() throws Exception {
    HttpResponse<String> response = call(to("/echo"));

    assertThat(response.headers().firstValue("Connection")).isEmpty();
  }

  @Test
  void addsSecurityHeaders() throws Exception {
    HttpResponse<String> response = call(to("/echo"));

    assertThat(response.headers().firstValue("Strict-Transport-Security"))
        .hasValueSatisfying(v -> assertThat(v).contains("max-age="));
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void streamsALargeBodyIntact() throws Exception {
    byte[] body = new byte[8 * 1024 * 1024];
    new Random(7).nextBytes(body);

    HttpResponse<String> response =
        call(to("/echo/upload").POST(HttpRequest.BodyPublishers.ofByteArray(body)));

    JsonNode echoed = Json.MAPPER.readTree(response.body());
    assertThat(echoed.path("body_size").asLong()).isEqualTo(body.length);
    assertThat(echoed.path("body_sha256").asString())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
  }

  @Test
  void refusesABodyOverTheLimit() throws Exception {
    byte[] body = new byte[17 * 1024 * 1024];

    HttpResponse<String> response =
        call(to("/echo/upload").POST(HttpRequest.BodyPublishers.ofByteArray(body)));

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void refusesTokenForAnotherAudience() throws Exception {
    HttpResponse<String> response =
        call(
            HttpRequest.newBuilder(gateway.url().resolve("/echo"))
                .header("Authorization", "Bearer " + token("urn:test:other")));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
  }

  @Test
  void everyDecisionIsAnAuditEventWithItsStatusAndNoToken() throws Exception {
    String token = token("urn:test:other");
    HttpResponse<String> refused =
        call(
            HttpRequest.newBuilder(gateway.url().resolve("/echo?secret=1"))
                .header("Authorization", "Bearer " + token));
    HttpResponse<String> served =
        call(
            HttpRequest.newBuilder(gateway.url().resolve("/echo"))
                .header("Authorization", "Bearer " + token(AUDIENCE)));

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(served.statusCode()).isEqualTo(200);
    AuditEvent event = awaitAudited();
    assertThat(event.component()).isEqualTo("gateway");
    assertThat(event.action()).isEqualTo("gateway.request");
    assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
    assertThat(event.reason()).hasValue("wrong_audience");
    assertThat(event.attributes())
        .containsEntry(HttpListener.STATUS, "401")
        .containsEntry("resource", "GET /echo")
        .containsEntry("source_address", "127.0.0.1")
        .containsKeys("request_id");
    assertThat(event.attributes().values())
        .noneMatch(v -> v.contains(token) || v.contains("secret"));
    for (int i = 0; i < 100 && audited.size() < 2; i++) {
      Thread.sleep(20);
    }
    assertThat(audited)
        .as("the served request is audited as forwarded")
        .extracting(AuditEvent::outcome)
        .containsExactly(AuditEvent.Outcome.FAILURE, AuditEvent.Outcome.SUCCESS);
  }

  private AuditEvent awaitAudited() throws InterruptedException {
    for (int i = 0; i < 100 && audited.isEmpty(); i++) {
      Thread.sleep(50);
    }
    assertThat(audited).isNotEmpty();
    return audited.get(0);
  }

  @Test
  void refusesEncodedSlashesAndDotSegments() throws Exception {
    assertThat(call(to("/echo/..%2F..%2Fetc")).statusCode()).isEqualTo(400);
    assertThat(call(to("/echo/%2e%2e/secret")).statusCode()).isEqualTo(400);
  }

  @Test
  void unknownPathIsNotFoundWithoutReachingAnyUpstream() throws Exception {
    HttpResponse<String> response = call(to("/nowhere"));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Json.MAPPER.readTree(response.body()).path("error").asString())
        .isEqualTo("not_found");
  }

  @Test
  void prefixDoesNotMatchLongerSegment() throws Exception {
    assertThat(call(to("/echoes")).statusCode()).isEqualTo(404);
  }

  @Test
  void unreachableUpstreamIs502() throws Exception {
    HttpResponse<String> response = call(to("/down"));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("upstream_unavailable");
  }

  @Test
  void slowUpstreamIs504() throws Exception {
    HttpResponse<String> response = call(to("/slow"));

    assertThat(response.statusCode()).isEqualTo(504);
  }

  @Test
  void keysUnavailableFailsClosed() throws Exception {
    String token = token(AUDIENCE);
    issuer.close();

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(gateway.url().resolve("/echo"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("refused, and not as the caller's fault").isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(response.body()).contains("signing keys are unavailable");
    issuer = listener("issuer").start();
  }

  @Test
  void upstreamCertificateMustNameTheHost() throws Exception {
    HttpResponse<String> response = call(to("/impostor"));

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).doesNotContain("should not be reached");
  }

  @Test
  void forwardsExactlyThePathItAuthorised() throws Exception {
    HttpResponse<String> response = call(to("/ech%6f/a%20b"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(response.body()).path("path").asString())
        .isEqualTo("/echo/a%20b");
  }

  @Test
  void refusesPathsServersReadDifferently() throws Exception {
    for (String path : List.of("/echo/..;/down", "/echo//x", "/echo;x=1", "/echo/%2e%2e/down")) {
      String response =
          raw(
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + token(AUDIENCE)
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(response).as(path).startsWith("HTTP/1.1 400");
    }
  }

  @Test
  void dropsHeadersTheClientNominatesInConnection() throws Exception {
    String response =
        raw(
            "GET /echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + token(AUDIENCE)
                + "\r\nConnection: keep-alive, X-Internal-Secret\r\nX-Internal-Secret: s3cr3t\r\nX-Forwarded-Prefix: /admin\r\nX-Original-URL: /admin\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 200");
    assertThat(response)
        .doesNotContain("x-internal-secret")
        .doesNotContain("x-forwarded-prefix")
        .doesNotContain("x-original-url");
  }

  // Route policy: a second gateway in front of the same upstream, with the policy under test.

  private static final String PERMIT_ALL =
      "@id(\"anyone\") permit (principal, action, resource);\n";

  private HttpResponse<String> callWithPolicy(String cedar, HttpRequest.Builder request)
      throws Exception {
    return callWithPolicy(
        PolicySource.fixed(PolicyBundle.parse(cedar, Optional.empty(), Optional.empty(), "7")),
        request);
  }

  private HttpResponse<String> callWithPolicy(PolicySource source, HttpRequest.Builder request)
      throws Exception {
    try (RoutePolicy policy =
            RoutePolicy.of(
                ServiceAuthorizer.builder(RoutePolicy.COMPONENT)
                    .source(source)
                    .audit(audited::add, DecisionAudit.DENIES)
                    .refreshEvery(Duration.ZERO)
                    .build(),
                Clock.systemUTC());
        Gateway guarded =
            Gateway.start(
                GatewaySettings.defaults(),
                List.of(new Route("echo", "/echo", upstream.url(), AUDIENCE)),
                issuer.url().toString(),
                issuer.url().resolve("/jwks"),
                clientTls,
                route -> clientTls,
                policy,
                listener("gateway").audit(audited::add))) {
      return call(request.uri(guarded.url().resolve(request.build().uri().getPath())));
    }
  }

  private HttpRequest.Builder withToken(String subject, Map<String, Object> claims)
      throws Exception {
    return HttpRequest.newBuilder(URI.create("https://placeholder/echo"))
        .header("Authorization", "Bearer " + token(AUDIENCE, subject, claims));
  }

  private AuditEvent awaitPolicyDecision() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      Optional<AuditEvent> found =
          audited.stream().filter(e -> e.action().equals("policy.decision")).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no policy.decision event in " + audited);
  }

  @Test
  void policyPermitsTheRouteThenTheRequestIsForwarded() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            "@id(\"echo-readers\") permit (principal, action in Action::\"read\", resource =="
                + " Route::\"echo\");",
            withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Upstream")).hasValue("echo");
  }

  @Test
  void policyForbidsTheRouteThen403WithTheDecidingPolicyAudited() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            PERMIT_ALL
                + "@id(\"no-clients\") forbid (principal is Client, action =="
                + " Action::\"GET /echo\", resource);",
            withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("X-Upstream")).isEmpty();
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("error").asString()).isEqualTo("forbidden");
    assertThat(response.body()).as("policy ids stay internal").doesNotContain("no-clients");
    AuditEvent event = awaitPolicyDecision();
    assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(event.attributes())
        .containsEntry("determining_policies", "no-clients")
        .containsEntry("principal", "Client::\"client-1\"")
        .containsEntry("requested_action", "Action::\"GET /echo\"")
        .containsEntry("resource", "Route::\"echo\"")
        .containsEntry("policy_version", "7")
        .containsEntry("client_id", "client-1")
        .containsEntry("source_address", "127.0.0.1")
        .containsKey("request_id");
    assertThat(event.component()).isEqualTo("gateway");
  }

  @Test
  void noPolicyPermitsThen403() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            "@id(\"other-route\") permit (principal, action, resource == Route::\"elsewhere\");",
            withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(awaitPolicyDecision().attributes())
        .containsEntry("determining_policies", "")
        .containsEntry("reason", "no_permit");
  }

  @TempDir Path policies;

  @Test
  void noPolicySetLoadedDeniesEverything() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            DirectoryPolicySource.of(policies.resolve("not-yet-deployed")),
            withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(awaitPolicyDecision().attributes())
        .containsEntry("reason", "no_policies")
        .containsEntry("policy_version", "none");
  }

  @Test
  void referencePolicyLetsATokenForTheRouteAudienceThrough() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            PolicySource.fixed(RoutePolicy.referenceBundle()), withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  private static final String MFA_FOR_WRITES =
      PERMIT_ALL
          + "@id(\"writes-need-mfa\") forbid (principal, action in Action::\"write\", resource)"
          + " unless { context.mfa };";

  @Test
  void mfaRequiredRouteRefusesATokenWithoutAmr() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            MFA_FOR_WRITES,
            withToken("alice", Map.of("amr", List.of("pwd")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(awaitPolicyDecision().attributes())
        .containsEntry("determining_policies", "writes-need-mfa")
        .containsEntry("principal", "User::\"alice\"");
  }

  @Test
  void mfaRequiredRouteAllowsATokenWhoseAmrNamesASecondFactor() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            MFA_FOR_WRITES,
            withToken("alice", Map.of("amr", List.of("pwd", "otp")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void theSourceAddressIsAnIpaddrPoliciesCanTest() throws Exception {
    HttpResponse<String> fromLoopback =
        callWithPolicy(
            "permit (principal, action, resource) when { context.source_ip.isLoopback() };",
            withToken("alice", Map.of()));
    HttpResponse<String> notFromTheOffice =
        callWithPolicy(
            "permit (principal, action, resource)"
                + " when { context.source_ip.isInRange(ip(\"10.20.0.0/16\")) };",
            withToken("alice", Map.of()));

    assertThat(fromLoopback.statusCode()).isEqualTo(200);
    assertThat(notFromTheOffice.statusCode()).isEqualTo(403);
  }

  private static final String FINANCE_ONLY =
      "@id(\"finance\") permit (principal in Role::\"finance\", action, resource);";

  @Test
  void rolesFromTheTokenAreParentsOfThePrincipal() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            FINANCE_ONLY, withToken("alice", Map.of("roles", List.of("finance", "staff"))));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void groupsFromTheTokenAreParentsOfThePrincipal() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            "permit (principal in Group::\"ops\", action, resource);",
            withToken("alice", Map.of("groups", List.of("ops"))));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void rolesAssertedInRequestHeadersHaveNoEffect() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            FINANCE_ONLY,
            withToken("alice", Map.of("roles", List.of("staff")))
                .header("roles", "finance")
                .header("X-Roles", "finance")
                .header("X-User", "finance-admin")
                .header("X-Amr", "mfa"));

    assertThat(response.statusCode()).isEqualTo(403);
  }

  @Test
  void aForbidThatCannotBeEvaluatedDenies() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            PERMIT_ALL
                + "@id(\"broken-forbid\") forbid (principal, action, resource)"
                + " when { context.no_such_attribute == 1 };",
            withToken("client-1", Map.of()));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(awaitPolicyDecision().attributes())
        .containsEntry("reason", "forbid_errored")
        .containsEntry("error_policies", "broken-forbid");
  }

  @Test
  void contextCarriesScopesClientAndPath() throws Exception {
    HttpResponse<String> response =
        callWithPolicy(
            "permit (principal, action, resource) when { context.scopes.contains(\"payments:read\")"
                + " && context.client_id == \"client-1\" && context.path like \"/echo*\" };",
            withToken("client-1", Map.of("scope", "openid payments:read")));

    assertThat(response.statusCode()).isEqualTo(200);
  }

  /** Sends {@code request} byte for byte over TLS and returns the first 16 KiB of the answer. */
  private String raw(String request) throws Exception {
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            clientTls.getSocketFactory().createSocket("127.0.0.1", gateway.url().getPort())) {
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      byte[] buffer = new byte[16 * 1024];
      int total = 0;
      try {
        for (int n;
            total < buffer.length
                && (n = socket.getInputStream().read(buffer, total, buffer.length - total)) > 0; ) {
          total += n;
          String soFar = new String(buffer, 0, total, java.nio.charset.StandardCharsets.ISO_8859_1);
          if (soFar.contains("\r\n\r\n") && soFar.endsWith("}")) {
            break;
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // Whatever arrived is the answer.
      }
      return new String(buffer, 0, total, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
