package dev.bulwark.gateway;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A real issuer (JWKS over HTTPS), a real upstream that counts what reaches it, and the TLS to
 * reach both: what a gateway under test stands in front of.
 */
final class EdgeFixture implements AutoCloseable {
  static final String AUDIENCE = "urn:test:edge";

  final CertificateAuthority authority =
      CertificateAuthority.createRoot("Edge test CA", Duration.ofDays(1), Clock.systemUTC());
  final Metrics metrics = Metrics.create();
  final AtomicInteger upstreamCalls = new AtomicInteger();
  final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
  final SSLContext clientTls;
  final HttpListener issuer;
  final HttpListener upstream;
  private final ECKey signingKey;
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  EdgeFixture() throws Exception {
    signingKey =
        new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
    String jwks = new JWKSet(signingKey.toPublicJWK()).toString();
    issuer = listener("issuer").routes(r -> r.get("/jwks", (req, res) -> res.send(jwks))).start();
    upstream =
        listener("upstream")
            .routes(
                r ->
                    r.any(
                        (req, res) -> {
                          upstreamCalls.incrementAndGet();
                          req.content().consume();
                          res.header("Content-Type", "application/json");
                          res.send("{\"ok\":true}");
                        }))
            .start();
    clientTls = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  }

  HttpListener.Builder listener(String name) throws Exception {
    return TestEndpoints.listener(authority, metrics, name);
  }

  TrustedIssuer trustedIssuer() {
    return TrustedIssuer.ofJwts(
        issuer.url().toString(), issuer.url().resolve("/jwks"), Set.of("ES256"));
  }

  /** A route to the counting upstream, with default limits. */
  RouteSpec route(String name, String prefix) {
    return RouteSpec.of(
        new Route(name, prefix, upstream.url(), AUDIENCE),
        UpstreamPolicy.defaults(List.of(upstream.url()), Duration.ofSeconds(5)));
  }

  /** A gateway on a fresh listener; closed with the fixture. */
  Gateway gateway(GatewayRoutes routes, java.util.function.Consumer<Gateway.Builder> options)
      throws Exception {
    RoutePolicy policy = RoutePolicy.reference(audited::add, Clock.systemUTC());
    Gateway.Builder builder =
        Gateway.builder()
            .routes(routes)
            .issuerTls(clientTls)
            .upstreamTls(route -> clientTls)
            .policy(policy)
            .audit(audited::add)
            .metrics(metrics.registry())
            .listener(listener("gateway"));
    options.accept(builder);
    Gateway gateway = builder.start();
    closing.add(policy);
    closing.add(gateway);
    return gateway;
  }

  HttpClient client() {
    HttpClient client = HttpClient.newBuilder().sslContext(clientTls).build();
    closing.add(client);
    return client;
  }

  String token(String clientId) throws Exception {
    return TestEndpoints.accessToken(
        signingKey,
        issuer.url().toString(),
        AUDIENCE,
        "user-" + clientId,
        java.util.Map.of("client_id", clientId));
  }

  URI url(Gateway gateway, String path) {
    return gateway.url().resolve(path);
  }

  @Override
  public void close() {
    for (AutoCloseable c : closing.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + c, e);
      }
    }
    upstream.close();
    issuer.close();
    metrics.close();
  }
}
