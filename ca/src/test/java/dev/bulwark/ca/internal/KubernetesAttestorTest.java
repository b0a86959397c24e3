package dev.bulwark.ca.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.ca.CaException;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.ca.KubernetesSettings;
import dev.bulwark.ca.TestKubernetesIssuer;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Attestation by Kubernetes projected service-account tokens, against a fixture issuer. */
class KubernetesAttestorTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");

  private final TestKubernetesIssuer cluster = new TestKubernetesIssuer();
  private final KubernetesSettings settings =
      KubernetesSettings.of(
          TestKubernetesIssuer.ISSUER, KubernetesSettings.Keys.fixed(cluster.jwks()));
  private final KubernetesAttestor attestor =
      new KubernetesAttestor(DOMAIN, settings, Clock.systemUTC());

  private static void assertRefused(ThrowingCallable attempt, String reason) {
    assertThatThrownBy(attempt)
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.ATTESTATION_FAILED))
        .hasMessageContaining(reason);
  }

  private String token(Consumer<JWTClaimsSet.Builder> change) {
    return cluster.token("shop", "payments", change);
  }

  @Test
  void attestsTheServiceAccountAsASpiffeId() {
    KubernetesAttestor.Attested attested = attestor.attest(cluster.token("shop", "payments"));

    assertThat(attested.id())
        .isEqualTo(SpiffeId.parse("spiffe://bulwark.test/ns/shop/sa/payments"));
    assertThat(attested.namespace()).isEqualTo("shop");
    assertThat(attested.serviceAccount()).isEqualTo("payments");
    assertThat(attested.pod()).contains("payments-7d9f8");
  }

  @Test
  void acceptsEs256Tokens() {
    assertThat(attestor.attest(cluster.es256Token("shop", "orders")).id())
        .isEqualTo(SpiffeId.parse("spiffe://bulwark.test/ns/shop/sa/orders"));
  }

  @Test
  void acceptsAnAudienceListThatIncludesTheCa() {
    String token = token(c -> c.audience(List.of("https://kubernetes.default.svc", "bulwark-ca")));

    assertThat(attestor.attest(token).serviceAccount()).isEqualTo("payments");
  }

  @Test
  void refusesTokenOfAnotherIssuer() {
    assertRefused(
        () -> attestor.attest(token(c -> c.issuer("https://other-cluster.example"))), "iss");
  }

  @Test
  void refusesTokenForAnotherAudience() {
    assertRefused(() -> attestor.attest(token(c -> c.audience("vault"))), "aud");
  }

  @Test
  void refusesExpiredToken() {
    Instant past = Instant.now().minusSeconds(600);
    assertRefused(
        () ->
            attestor.attest(
                token(
                    c ->
                        c.issueTime(Date.from(past.minusSeconds(600)))
                            .notBeforeTime(Date.from(past.minusSeconds(600)))
                            .expirationTime(Date.from(past)))),
        "xpired");
  }

  @Test
  void toleratesAMinuteOfClockSkew() {
    String token = token(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(30))));

    assertThat(attestor.attest(token).namespace()).isEqualTo("shop");
  }

  @Test
  void refusesTokenNotYetValid() {
    assertRefused(
        () ->
            attestor.attest(token(c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(300))))),
        "not valid");
  }

  @Test
  void refusesTokenIssuedInTheFuture() {
    assertRefused(
        () -> attestor.attest(token(c -> c.issueTime(Date.from(Instant.now().plusSeconds(300))))),
        "future");
  }

  @Test
  void refusesTokenWithoutExpiry() {
    assertRefused(() -> attestor.attest(token(c -> c.expirationTime(null))), "exp");
  }

  @Test
  void refusesTokenSignedByAnotherIssuer() {
    assertRefused(
        () -> attestor.attest(new TestKubernetesIssuer().token("shop", "payments")), "not valid");
  }

  @Test
  void refusesTokenSignedByAnotherKeyUnderTheIssuersKeyId() throws Exception {
    RSAKey impostor = new RSAKeyGenerator(2048).keyID(cluster.rsaKey().getKeyID()).generate();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(impostor.getKeyID()).build(),
            TestKubernetesIssuer.claims("shop", "payments", c -> {}));
    jwt.sign(new RSASSASigner(impostor));

    assertRefused(() -> attestor.attest(jwt.serialize()), "not valid");
  }

  @Test
  void refusesUnsignedToken() {
    String unsigned =
        new PlainJWT(TestKubernetesIssuer.claims("shop", "payments", c -> {})).serialize();

    assertRefused(() -> attestor.attest(unsigned), "not valid");
  }

  @Test
  void refusesHmacTokenKeyedWithTheIssuersPublicKey() throws Exception {
    // The algorithm-confusion attack: HS256 with the public key as the shared secret.
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(cluster.rsaKey().getKeyID()).build(),
            TestKubernetesIssuer.claims("shop", "payments", c -> {}));
    jwt.sign(
        new MACSigner(
            cluster.rsaKey().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));

    assertRefused(() -> attestor.attest(jwt.serialize()), "not valid");
  }

  @Test
  void refusesSomethingThatIsNotAJwt() {
    assertRefused(() -> attestor.attest("not-a-jwt"), "not a JWT");
    assertRefused(() -> attestor.attest(""), "empty");
  }

  @Test
  void refusesTokenWithoutKubernetesClaims() {
    assertRefused(
        () -> attestor.attest(token(c -> c.claim("kubernetes.io", null))), "kubernetes.io");
    assertRefused(
        () ->
            attestor.attest(
                token(
                    c -> c.claim("kubernetes.io", Map.of("serviceaccount", Map.of("name", "x"))))),
        "namespace");
    assertRefused(
        () -> attestor.attest(token(c -> c.claim("kubernetes.io", Map.of("namespace", "shop")))),
        "serviceaccount");
  }

  @Test
  void refusesTokenWithoutSubject() {
    assertRefused(() -> attestor.attest(token(c -> c.subject(null))), "sub");
  }

  @Test
  void refusesTokenWhoseSubjectNamesAnotherServiceAccount() {
    assertRefused(
        () -> attestor.attest(token(c -> c.subject("system:serviceaccount:kube-system:admin"))),
        "subject");
  }

  @Test
  void refusesNamesThatWouldAddPathSegments() {
    String token =
        cluster.token(
            "shop/sa/admin",
            "payments",
            c -> c.subject("system:serviceaccount:shop/sa/admin:payments"));

    assertRefused(() -> attestor.attest(token), "namespace");
  }

  @Test
  void refusesNamespaceOutsideTheAllowedOnes() {
    KubernetesAttestor narrow =
        new KubernetesAttestor(
            DOMAIN, settings.withAllowedNamespaces(Set.of("billing")), Clock.systemUTC());

    assertRefused(() -> narrow.attest(cluster.token("shop", "payments")), "shop");
    assertThat(narrow.attest(cluster.token("billing", "invoices")).namespace())
        .isEqualTo("billing");
  }

  @Test
  void usesTheConfiguredAudience() {
    KubernetesAttestor custom =
        new KubernetesAttestor(DOMAIN, settings.withAudience("spire"), Clock.systemUTC());

    assertRefused(() -> custom.attest(cluster.token("shop", "payments")), "aud");
    assertThat(custom.attest(token(c -> c.audience("spire"))).namespace()).isEqualTo("shop");
  }

  @Test
  void fetchesTheIssuersKeysOverHttps() throws Exception {
    CertificateAuthority clusterCa =
        CertificateAuthority.createRoot("cluster CA", Duration.ofDays(1), Clock.systemUTC());
    try (Metrics metrics = Metrics.create();
        HttpListener jwks = jwksEndpoint(clusterCa, metrics)) {
      KubernetesAttestor remote =
          new KubernetesAttestor(
              DOMAIN,
              KubernetesSettings.of(
                  TestKubernetesIssuer.ISSUER,
                  KubernetesSettings.Keys.remote(
                      jwks.url().resolve("/openid/v1/jwks"),
                      TlsContexts.client(List.of(clusterCa.certificate()), Optional.empty()))),
              Clock.systemUTC());

      assertThat(remote.attest(cluster.token("shop", "payments")).serviceAccount())
          .isEqualTo("payments");
    }
  }

  @Test
  void refusesWhenTheKeysComeFromAnUntrustedServer() throws Exception {
    CertificateAuthority clusterCa =
        CertificateAuthority.createRoot("cluster CA", Duration.ofDays(1), Clock.systemUTC());
    CertificateAuthority other =
        CertificateAuthority.createRoot("other CA", Duration.ofDays(1), Clock.systemUTC());
    try (Metrics metrics = Metrics.create();
        HttpListener jwks = jwksEndpoint(clusterCa, metrics)) {
      KubernetesAttestor remote =
          new KubernetesAttestor(
              DOMAIN,
              KubernetesSettings.of(
                  TestKubernetesIssuer.ISSUER,
                  KubernetesSettings.Keys.remote(
                      jwks.url().resolve("/openid/v1/jwks"),
                      TlsContexts.client(List.of(other.certificate()), Optional.empty()))),
              Clock.systemUTC());

      assertRefused(() -> remote.attest(cluster.token("shop", "payments")), "");
    }
  }

  @Test
  void refusesAPlainHttpKeyUrl() {
    assertThatThrownBy(
            () ->
                KubernetesSettings.Keys.remote(
                    java.net.URI.create("http://kubernetes.default.svc/openid/v1/jwks"),
                    TlsContexts.client(
                        List.of(
                            CertificateAuthority.createRoot(
                                    "x", Duration.ofDays(1), Clock.systemUTC())
                                .certificate()),
                        Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  private HttpListener jwksEndpoint(CertificateAuthority authority, Metrics metrics) {
    String body = cluster.jwks().toString();
    return HttpListener.builder("kube-apiserver")
        .tls(
            TlsContexts.server(
                new ReloadableKeyManager(
                    authority.issueEndpointCertificate(
                        "kubernetes",
                        List.of("localhost"),
                        List.of(InetAddress.ofLiteral("127.0.0.1")),
                        Duration.ofHours(1))),
                List.of()),
            ClientAuth.NONE)
        .metrics(metrics)
        .routes(
            r ->
                r.get(
                    "/openid/v1/jwks",
                    (req, res) -> {
                      res.header("Content-Type", "application/json");
                      res.send(body);
                    }))
        .start();
  }
}
