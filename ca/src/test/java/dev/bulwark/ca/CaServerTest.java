package dev.bulwark.ca;

import static dev.bulwark.ca.TestCaClient.issueBody;
import static dev.bulwark.ca.TestCaClient.json;
import static dev.bulwark.ca.TestCaClient.renewBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.X509Svid;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The CA server over real HTTPS on loopback, as workloads and administrators use it. */
class CaServerTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  private static final SpiffeId ADMIN = SpiffeId.parse("spiffe://bulwark.test/ops/admin");
  private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://bulwark.test/payments");
  private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://bulwark.test/orders");
  private static final int DNS = 2;
  private static final int IP = 7;

  @TempDir Path directory;

  private final MutableClock clock = MutableClock.ticking();
  private final CertificateAuthority root =
      CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(3650), clock);
  private final CertificateAuthority intermediate = root.issueIntermediate(Duration.ofDays(365));
  private final TrustBundle bundle =
      TrustBundle.of(DOMAIN, List.of(root.certificate()), 1, Duration.ofMinutes(5));
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final TestKubernetesIssuer cluster = new TestKubernetesIssuer();
  private final Metrics metrics = Metrics.create();
  private CaServer server;

  @BeforeEach
  void start() {
    server = start(settings(), "ca");
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
  }

  private CaSettings settings() {
    return CaSettings.defaults(DOMAIN)
        .withAdmins(Set.of(ADMIN))
        .withKubernetes(
            KubernetesSettings.of(
                TestKubernetesIssuer.ISSUER, KubernetesSettings.Keys.fixed(cluster.jwks())));
  }

  private CaServer start(CaSettings settings, String database) {
    return CaServer.start(
        settings,
        intermediate,
        bundle,
        DatabaseSettings.embedded(directory, database),
        audit::add,
        HttpListener.builder("ca").port(0).metrics(metrics),
        clock);
  }

  private SpiffeTrustManager verifier() {
    return new SpiffeTrustManager(
        () -> bundle,
        () -> DenyList.EMPTY,
        PeerAuthorizer.memberOf(DOMAIN),
        Clock.systemUTC(),
        refusal -> {});
  }

  /** A workload enrolled with a join token: its own key, the SVID the CA issued for it. */
  private X509Svid enroll(SpiffeId id) throws Exception {
    JoinToken token =
        server.createJoinToken(
            id,
            List.of("payments.internal"),
            List.of(InetAddress.ofLiteral("10.0.0.7")),
            Duration.ofMinutes(10));
    KeyPair keys = TestCsrs.p256();
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      HttpResponse<String> response =
          client.post("/v1/svid", issueBody(TestCsrs.csr(keys), "join_token", token.reveal()));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return TestCaClient.svid(response, keys.getPrivate());
    }
  }

  private X509Svid admin() {
    return server.issueSvid(ADMIN, List.of(), List.of());
  }

  private List<AuditEvent> events(String action) {
    return audit.stream().filter(e -> e.action().equals(action)).toList();
  }

  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(json(response).get("error").asString()).isEqualTo(error);
    assertThat(json(response).get("error_description").asString()).isNotBlank();
  }

  @Test
  void issuesAnSvidForAJoinToken() throws Exception {
    JoinToken token =
        server.createJoinToken(
            PAYMENTS,
            List.of("payments.internal"),
            List.of(InetAddress.ofLiteral("10.0.0.7")),
            Duration.ofMinutes(10));
    KeyPair keys = TestCsrs.p256();

    HttpResponse<String> response;
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      response =
          client.post("/v1/svid", issueBody(TestCsrs.csr(keys), "join_token", token.reveal()));
    }

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    X509Svid svid = TestCaClient.svid(response, keys.getPrivate());
    assertThat(body.get("spiffe_id").asString()).isEqualTo(PAYMENTS.toString());
    assertThat(svid.chain()).hasSize(2);
    assertThat(svid.chain().get(1)).isEqualTo(intermediate.certificate());
    assertThat(svid.leaf().getPublicKey()).isEqualTo(keys.getPublic());
    assertThat(Instant.parse(body.get("expires_at").asString())).isEqualTo(svid.notAfter());
    assertThat(TrustBundle.parse(DOMAIN, body.get("bundle").toString()).authorities())
        .containsExactly(root.certificate());
    assertThat(svid.leaf().getSubjectAlternativeNames())
        .contains(List.of(DNS, "payments.internal"), List.of(IP, "10.0.0.7"));
    assertThat(
            verifier()
                .verify(
                    svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.CLIENT))
        .isEqualTo(PAYMENTS);

    AuditEvent issued = events("svid.issue").getLast();
    assertThat(issued.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(issued.workload()).contains(PAYMENTS.toString());
    assertThat(issued.attribute("serial")).contains(svid.serialNumber().toString(16));
    assertThat(issued.attribute("attestation")).contains("join_token");
    assertThat(issued.attribute("source_address")).contains("127.0.0.1");
    assertThat(issued.attribute("request_id")).isPresent();
    assertThat(server.issuedCertificates(PAYMENTS))
        .anySatisfy(
            record -> {
              assertThat(record.serial()).isEqualTo(svid.serialNumber());
              assertThat(record.attestation()).isEqualTo(Attestation.JOIN_TOKEN);
            });
    assertThat(events("join_token.create").getLast().workload()).contains(PAYMENTS.toString());
  }

  @Test
  void refusesAJoinTokenUsedBefore() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      String body = issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token.reveal());
      assertThat(client.post("/v1/svid", body).statusCode()).isEqualTo(200);

      HttpResponse<String> again =
          client.post(
              "/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token.reveal()));

      assertError(again, 401, "attestation_failed");
      assertThat(again.body()).doesNotContain(token.reveal());
    }
    AuditEvent refused = events("svid.issue").getLast();
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(refused.reason()).hasValueSatisfying(r -> assertThat(r).contains("already used"));
    assertThat(refused.workload()).isEmpty();
    assertThat(audit)
        .allSatisfy(event -> assertThat(event.toString()).doesNotContain(token.reveal()));
  }

  @Test
  void refusesAnExpiredJoinToken() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(6));

    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post(
              "/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token.reveal())),
          401,
          "attestation_failed");
    }
    assertThat(events("svid.issue").getLast().reason())
        .hasValueSatisfying(r -> assertThat(r).contains("expired"));
  }

  @Test
  void refusesAnUnknownJoinToken() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post(
              "/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", "bwjt_guess")),
          401,
          "attestation_failed");
    }
  }

  @Test
  void aTokenForOneIdentityCannotYieldAnother() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));
    byte[] greedy =
        TestCsrs.greedyCsr(TestCsrs.p256(), "spiffe://bulwark.test/ops/admin", "ca.example");

    HttpResponse<String> response;
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      response = client.post("/v1/svid", issueBody(greedy, "join_token", token.reveal()));
    }

    assertThat(response.statusCode()).isEqualTo(200);
    X509Certificate leaf = TestCaClient.svid(response, TestCsrs.p256().getPrivate()).leaf();
    assertThat(SpiffeId.fromCertificate(leaf)).contains(PAYMENTS);
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, PAYMENTS.toString()));
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
  }

  @Test
  void refusesACsrWithABadSignatureWithoutBurningTheToken() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));
    KeyPair claimed = TestCsrs.p256();
    byte[] forged =
        TestCsrs.csr(claimed, TestCsrs.p256().getPrivate(), "SHA256withECDSA", "CN=forged");

    try (TestCaClient client = TestCaClient.anonymous(server)) {
      HttpResponse<String> refused =
          client.post("/v1/svid", issueBody(forged, "join_token", token.reveal()));

      assertError(refused, 400, "invalid_request");
      assertThat(json(refused).get("error_description").asString()).contains("signature");
      assertThat(
              client
                  .post(
                      "/v1/svid",
                      issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token.reveal()))
                  .statusCode())
          .isEqualTo(200);
    }
    assertThat(events("svid.issue"))
        .anySatisfy(e -> assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE));
  }

  @Test
  void refusesAWeakRsaKey() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));

    try (TestCaClient client = TestCaClient.anonymous(server)) {
      HttpResponse<String> refused =
          client.post(
              "/v1/svid",
              issueBody(TestCsrs.csr(TestCsrs.rsa(1024)), "join_token", token.reveal()));

      assertError(refused, 400, "invalid_request");
      assertThat(json(refused).get("error_description").asString()).contains("1024");
    }
  }

  @Test
  void refusesAJoinTokenWhoseIdentityWasRevokedSince() throws Exception {
    JoinToken token = server.createJoinToken(PAYMENTS, List.of(), List.of(), Duration.ofMinutes(5));
    server.revoke(PAYMENTS, "compromised");

    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post(
              "/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token.reveal())),
          403,
          "denied");
    }
    assertThat(events("svid.issue").getLast().outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
  }

  @Test
  void renewsOverMutualTlsWithTheSameIdentityAndANewSerial() throws Exception {
    X509Svid current = enroll(PAYMENTS);
    KeyPair next = TestCsrs.p256();

    HttpResponse<String> response;
    try (TestCaClient client = TestCaClient.as(current, server)) {
      response = client.post("/v1/svid/renew", renewBody(TestCsrs.csr(next)));
    }

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    X509Svid renewed = TestCaClient.svid(response, next.getPrivate());
    assertThat(renewed.id()).isEqualTo(PAYMENTS);
    assertThat(renewed.serialNumber()).isNotEqualTo(current.serialNumber());
    assertThat(renewed.leaf().getPublicKey()).isEqualTo(next.getPublic());
    assertThat(renewed.leaf().getSubjectAlternativeNames())
        .containsExactlyInAnyOrderElementsOf(current.leaf().getSubjectAlternativeNames());
    AuditEvent renewal = events("svid.renew").getLast();
    assertThat(renewal.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(renewal.subject()).contains(PAYMENTS.toString());
    assertThat(renewal.attribute("previous_serial")).contains(current.serialNumber().toString(16));
    assertThat(renewal.attribute("serial")).contains(renewed.serialNumber().toString(16));
  }

  @Test
  void refusesRenewalWithoutAClientCertificate() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post("/v1/svid/renew", renewBody(TestCsrs.csr(TestCsrs.p256()))),
          401,
          "client_certificate_required");
    }
    assertThat(events("svid.renew").getLast().outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
  }

  @Test
  void refusesRenewalWithARevokedSvid() throws Exception {
    X509Svid current = enroll(PAYMENTS);
    server.revoke(current.serialNumber(), "key leaked");

    try (TestCaClient client = TestCaClient.as(current, server)) {
      assertRevokedOrRefused(
          () -> client.post("/v1/svid/renew", renewBody(TestCsrs.csr(TestCsrs.p256()))));
    }
    assertThat(events("tls.peer_refused"))
        .anySatisfy(
            e -> assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("revoked")));
  }

  @Test
  void refusesRenewalForARevokedIdentity() throws Exception {
    X509Svid current = enroll(ORDERS);
    server.revoke(ORDERS, "decommissioned");

    try (TestCaClient client = TestCaClient.as(current, server)) {
      assertRevokedOrRefused(
          () -> client.post("/v1/svid/renew", renewBody(TestCsrs.csr(TestCsrs.p256()))));
    }
  }

  @Test
  void refusesRenewalRevokedByAnotherCaInstanceBeforeItsHandshakesKnow() throws Exception {
    X509Svid current = enroll(ORDERS);
    try (CaServer other = start(settings(), "ca")) {
      other.revoke(ORDERS, "revoked on the other instance");
    }
    assertThat(server.denyList().identities()).as("not refreshed yet").doesNotContain(ORDERS);

    try (TestCaClient client = TestCaClient.as(current, server)) {
      assertError(
          client.post("/v1/svid/renew", renewBody(TestCsrs.csr(TestCsrs.p256()))), 403, "denied");
    }
    AuditEvent refused = events("svid.renew").getLast();
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(refused.workload()).contains(ORDERS.toString());
  }

  @Test
  void refusesServiceAccountTokensWhenKubernetesIsNotConfigured() throws Exception {
    try (CaServer plain = start(CaSettings.defaults(DOMAIN), "plain");
        TestCaClient client = TestCaClient.anonymous(plain)) {
      assertError(
          client.post(
              "/v1/svid",
              issueBody(
                  TestCsrs.csr(TestCsrs.p256()), "k8s_psat", cluster.token("shop", "payments"))),
          401,
          "attestation_failed");
    }
  }

  @Test
  void refusesAClientCertificateFromAnotherCa() throws Exception {
    CertificateAuthority impostor =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(1), clock)
            .issueIntermediate(Duration.ofDays(1));
    X509Svid forged = impostor.issueSvid(ADMIN, List.of(), List.of(), Duration.ofHours(1));

    try (TestCaClient client = TestCaClient.as(forged, server)) {
      assertThatThrownBy(() -> client.get("/v1/admin/revocations"))
          .as("the handshake fails")
          .isInstanceOf(IOException.class);
    }
    AuditEvent refused = events("tls.peer_refused").getLast();
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(refused.workload()).contains(ADMIN.toString());
  }

  @Test
  void adminEndpointsRefuseWorkloadsThatAreNotAdmins() throws Exception {
    X509Svid workload = enroll(PAYMENTS);

    try (TestCaClient client = TestCaClient.as(workload, server)) {
      assertError(
          client.post("/v1/admin/join-tokens", "{\"spiffe_id\":\"" + ADMIN + "\"}"), 403, "denied");
      assertError(
          client.post("/v1/admin/revocations", "{\"spiffe_id\":\"" + ORDERS + "\"}"),
          403,
          "denied");
      assertError(client.get("/v1/admin/revocations"), 403, "denied");
    }
    assertThat(server.denyList().identities()).doesNotContain(ORDERS);
    assertThat(events("join_token.create").getLast().outcome())
        .isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(events("revocation.create").getLast().subject()).contains(PAYMENTS.toString());
  }

  @Test
  void adminEndpointsRequireAClientCertificate() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post("/v1/admin/join-tokens", "{\"spiffe_id\":\"" + PAYMENTS + "\"}"),
          401,
          "client_certificate_required");
      assertError(client.get("/v1/admin/revocations"), 401, "client_certificate_required");
    }
  }

  @Test
  void anAdminCreatesAJoinTokenThatAWorkloadRedeems() throws Exception {
    HttpResponse<String> created;
    try (TestCaClient client = TestCaClient.as(admin(), server)) {
      created =
          client.post(
              "/v1/admin/join-tokens",
              "{\"spiffe_id\":\""
                  + ORDERS
                  + "\",\"ttl_seconds\":120,\"dns_names\":[\"Orders.Internal\"],"
                  + "\"ip_addresses\":[\"127.0.0.1\"]}");
    }

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode body = json(created);
    assertThat(body.get("spiffe_id").asString()).isEqualTo(ORDERS.toString());
    assertThat(Instant.parse(body.get("expires_at").asString()))
        .isBetween(Instant.now().plusSeconds(100), Instant.now().plusSeconds(121));
    String token = body.get("token").asString();
    HttpResponse<String> issued;
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      issued =
          client.post("/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "join_token", token));
    }
    X509Certificate leaf = TestCaClient.svid(issued, TestCsrs.p256().getPrivate()).leaf();
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, ORDERS.toString()),
            List.of(DNS, "orders.internal"),
            List.of(IP, "127.0.0.1"));
    AuditEvent creation = events("join_token.create").getLast();
    assertThat(creation.subject()).contains(ADMIN.toString());
    assertThat(creation.workload()).contains(ORDERS.toString());
    assertThat(audit).allSatisfy(e -> assertThat(e.toString()).doesNotContain(token));
  }

  @Test
  void refusesJoinTokenRequestsThatBreakTheRules() throws Exception {
    try (TestCaClient client = TestCaClient.as(admin(), server)) {
      assertError(
          client.post(
              "/v1/admin/join-tokens",
              "{\"spiffe_id\":\"spiffe://elsewhere.test/x\",\"ttl_seconds\":60}"),
          400,
          "invalid_request");
      assertError(
          client.post(
              "/v1/admin/join-tokens", "{\"spiffe_id\":\"" + ORDERS + "\",\"ttl_seconds\":90000}"),
          400,
          "invalid_request");
      assertError(
          client.post(
              "/v1/admin/join-tokens",
              "{\"spiffe_id\":\"" + ORDERS + "\",\"ip_addresses\":[\"localhost\"]}"),
          400,
          "invalid_request");
      assertError(
          client.post(
              "/v1/admin/join-tokens",
              "{\"spiffe_id\":\"" + ORDERS + "\",\"dns_names\":[\"*.orders\"]}"),
          400,
          "invalid_request");
      assertError(client.post("/v1/admin/join-tokens", "{}"), 400, "invalid_request");
      assertError(
          client.post(
              "/v1/admin/join-tokens", "{\"spiffe_id\":\"spiffe://bulwark.test/bulwark/ca\"}"),
          400,
          "invalid_request");
    }
  }

  @Test
  void revocationsAppearInTheDenyListWithAGrowingSequence() throws Exception {
    X509Svid workload = enroll(PAYMENTS);
    X509Svid victim = enroll(ORDERS);
    try (TestCaClient admin = TestCaClient.as(admin(), server)) {
      HttpResponse<String> first =
          admin.post(
              "/v1/admin/revocations",
              "{\"spiffe_id\":\"" + ORDERS + "\",\"reason\":\"decommissioned\"}");
      HttpResponse<String> second =
          admin.post(
              "/v1/admin/revocations",
              "{\"serial\":\"" + victim.serialNumber().toString(16) + "\"}");

      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      assertThat(DenyList.parse(first.body()).sequence()).isEqualTo(1);
      assertThat(DenyList.parse(first.body()).identities()).containsExactly(ORDERS);
      DenyList afterSecond = DenyList.parse(second.body());
      assertThat(afterSecond.sequence()).isEqualTo(2);
      assertThat(afterSecond.serials()).containsExactly(victim.serialNumber());
      assertThat(DenyList.parse(admin.get("/v1/admin/revocations").body()).sequence()).isEqualTo(2);
    }
    try (TestCaClient client = TestCaClient.as(workload, server)) {
      HttpResponse<String> list = client.get("/v1/denylist");
      assertThat(list.statusCode()).isEqualTo(200);
      DenyList parsed = DenyList.parse(list.body());
      assertThat(parsed.sequence()).isEqualTo(2);
      assertThat(parsed.identities()).containsExactly(ORDERS);
      assertThat(parsed.serials()).containsExactly(victim.serialNumber());
    }
    AuditEvent revocation = events("revocation.create").getFirst();
    assertThat(revocation.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
    assertThat(revocation.subject()).contains(ADMIN.toString());
    assertThat(revocation.reason()).contains("decommissioned");
    assertThat(events("revocation.create").getLast().attribute("serial"))
        .contains(victim.serialNumber().toString(16));
  }

  @Test
  void refusesRevocationRequestsThatNameNothingOrTwoThings() throws Exception {
    try (TestCaClient admin = TestCaClient.as(admin(), server)) {
      assertError(admin.post("/v1/admin/revocations", "{}"), 400, "invalid_request");
      assertError(
          admin.post(
              "/v1/admin/revocations", "{\"spiffe_id\":\"" + ORDERS + "\",\"serial\":\"ab\"}"),
          400,
          "invalid_request");
      assertError(
          admin.post("/v1/admin/revocations", "{\"serial\":\"not-hex\"}"), 400, "invalid_request");
    }
    assertThat(server.denyList().sequence()).isZero();
  }

  @Test
  void denyListRequiresAClientCertificate() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(client.get("/v1/denylist"), 401, "client_certificate_required");
    }
  }

  @Test
  void servesTheBundleAsSpiffeJsonAndAsPem() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      HttpResponse<String> asJson = client.get("/v1/bundle");
      HttpResponse<String> asPem = client.get("/v1/bundle?format=pem");

      assertThat(asJson.statusCode()).isEqualTo(200);
      assertThat(asJson.headers().firstValue("Content-Type")).contains("application/json");
      TrustBundle parsed = TrustBundle.parse(DOMAIN, asJson.body());
      assertThat(parsed.authorities()).containsExactly(root.certificate());
      assertThat(parsed.sequence()).isEqualTo(1);
      assertThat(asPem.statusCode()).isEqualTo(200);
      assertThat(asPem.headers().firstValue("Content-Type"))
          .contains("application/pem-certificate-chain");
      assertThat(TrustBundle.fromPem(DOMAIN, asPem.body()).authorities())
          .containsExactly(root.certificate());
      assertError(client.get("/v1/bundle?format=der"), 400, "invalid_request");
    }
  }

  @Test
  void refusesBodiesThatAreNotJsonObjects() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.send("/v1/svid", "POST", "text/plain", "{}"), 415, "unsupported_media_type");
      assertError(client.post("/v1/svid", "{not json"), 400, "invalid_request");
      assertError(client.post("/v1/svid", "[1,2]"), 400, "invalid_request");
      assertError(client.post("/v1/svid", "{\"csr\":\"%%%\"}"), 400, "invalid_request");
      assertError(
          client.post("/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "x509pop", "whatever")),
          400,
          "invalid_request");
      HttpResponse<String> huge =
          client.post("/v1/svid", "{\"csr\":\"" + "A".repeat(70_000) + "\"}");
      assertThat(huge.statusCode()).isEqualTo(413);
    }
  }

  @Test
  void answersWrongMethodsWith405AndUnknownPathsWith404() throws Exception {
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      HttpResponse<String> get = client.get("/v1/svid");
      assertError(get, 405, "method_not_allowed");
      assertThat(get.headers().firstValue("Allow")).contains("POST");
      assertError(
          client.send("/v1/bundle", "DELETE", "application/json", ""), 405, "method_not_allowed");
      assertError(client.get("/v1/nothing-here"), 404, "not_found");
      assertThat(client.get("/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void attestsAKubernetesWorkloadByItsServiceAccountToken() throws Exception {
    KeyPair keys = TestCsrs.p256();
    HttpResponse<String> response;
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      response =
          client.post(
              "/v1/svid",
              issueBody(TestCsrs.csr(keys), "k8s_psat", cluster.token("shop", "payments")));
    }

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    X509Svid svid = TestCaClient.svid(response, keys.getPrivate());
    assertThat(svid.id()).isEqualTo(SpiffeId.parse("spiffe://bulwark.test/ns/shop/sa/payments"));
    verifier().verify(svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.SERVER);
    AuditEvent issued = events("svid.issue").getLast();
    assertThat(issued.attribute("attestation")).contains("k8s_psat");
    assertThat(issued.attribute("k8s_namespace")).contains("shop");
    assertThat(issued.attribute("k8s_pod")).contains("payments-7d9f8");
  }

  @Test
  void refusesAnInvalidServiceAccountToken() throws Exception {
    String wrongAudience = cluster.token("shop", "payments", c -> c.audience("vault"));
    try (TestCaClient client = TestCaClient.anonymous(server)) {
      assertError(
          client.post(
              "/v1/svid", issueBody(TestCsrs.csr(TestCsrs.p256()), "k8s_psat", wrongAudience)),
          401,
          "attestation_failed");
    }
    AuditEvent refused = events("svid.issue").getLast();
    assertThat(refused.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
    assertThat(refused.attribute("attestation")).contains("k8s_psat");
    assertThat(refused.reason()).hasValueSatisfying(r -> assertThat(r).contains("aud"));
    assertThat(refused.toString()).doesNotContain(wrongAudience);
  }

  @Test
  void listenerPresentsTheCasOwnSvid() throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, new TrustManager[] {verifierAccepting(server.spiffeId())}, null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.url().getPort())) {
      socket.startHandshake();
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];

      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(SpiffeId.fromCertificate(leaf))
          .contains(SpiffeId.parse("spiffe://bulwark.test/bulwark/ca"));
      assertThat(leaf.getSubjectAlternativeNames())
          .contains(List.of(DNS, "localhost"), List.of(IP, "127.0.0.1"));
      assertThat(leaf.getSerialNumber()).isEqualTo(server.listenerSvid().serialNumber());
    }
  }

  @Test
  void renewsItsOwnListenerSvidAtHalfItsLifetime() throws Exception {
    try (CaServer brief = start(settings().withSvidTtl(Duration.ofSeconds(6)), "brief")) {
      BigInteger first = brief.listenerSvid().serialNumber();

      Instant deadline = Instant.now().plusSeconds(10);
      while (brief.listenerSvid().serialNumber().equals(first)
          && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }

      assertThat(brief.listenerSvid().serialNumber()).isNotEqualTo(first);
      assertThat(brief.issuedCertificates(brief.spiffeId())).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void takesANewBundleButNeverOneWithoutItsOwnRoot() throws Exception {
    CertificateAuthority nextRoot =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(3650), clock);

    assertThatThrownBy(
            () ->
                server.updateBundle(
                    TrustBundle.of(
                        DOMAIN, List.of(nextRoot.certificate()), 2, Duration.ofMinutes(5))))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.REQUEST_INVALID));
    assertThatThrownBy(() -> server.updateBundle(bundle))
        .as("not newer")
        .isInstanceOf(CaException.class);

    server.updateBundle(
        TrustBundle.of(
            DOMAIN, List.of(root.certificate(), nextRoot.certificate()), 2, Duration.ofMinutes(5)));

    try (TestCaClient client = TestCaClient.anonymous(server)) {
      TrustBundle served = TrustBundle.parse(DOMAIN, client.get("/v1/bundle").body());
      assertThat(served.sequence()).isEqualTo(2);
      assertThat(served.authorities())
          .containsExactlyInAnyOrder(root.certificate(), nextRoot.certificate());
    }
  }

  @Test
  void refusesToStartWithAnIntermediateOutsideTheBundle() {
    CertificateAuthority stranger =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(1), clock)
            .issueIntermediate(Duration.ofDays(1));

    assertThatThrownBy(
            () ->
                CaServer.start(
                    settings(),
                    stranger,
                    bundle,
                    DatabaseSettings.embedded(directory, "stranger"),
                    audit::add,
                    HttpListener.builder("ca").port(0).metrics(metrics),
                    clock))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.CA_MATERIAL_INVALID));
    assertThatThrownBy(
            () ->
                CaServer.start(
                    settings(),
                    root,
                    bundle,
                    DatabaseSettings.embedded(directory, "root"),
                    audit::add,
                    HttpListener.builder("ca").port(0).metrics(metrics),
                    clock))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.WRONG_AUTHORITY));
  }

  private SpiffeTrustManager verifierAccepting(SpiffeId id) {
    return new SpiffeTrustManager(
        () -> bundle,
        () -> DenyList.EMPTY,
        PeerAuthorizer.only(id),
        Clock.systemUTC(),
        refusal -> {});
  }

  /** A revoked client fails the handshake, or, should a session be resumed, gets a 403. */
  private static void assertRevokedOrRefused(Request request) {
    try {
      HttpResponse<String> response = request.send();
      assertError(response, 403, "denied");
    } catch (IOException handshakeRefused) {
      assertThat(handshakeRefused).isNotNull();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @FunctionalInterface
  private interface Request {
    HttpResponse<String> send() throws IOException, InterruptedException;
  }
}
