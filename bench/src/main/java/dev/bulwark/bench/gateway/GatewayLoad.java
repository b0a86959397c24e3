package dev.bulwark.bench.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.emit.AuditEmitter;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.Gateway;
import dev.bulwark.gateway.GatewayRoutes;
import dev.bulwark.gateway.Route;
import dev.bulwark.gateway.RouteSpec;
import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.policy.RoutePolicy;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.LocalRateLimiter;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.ratelimit.RateLimiter;
import dev.bulwark.gateway.ratelimit.RedisRateLimiter;
import dev.bulwark.gateway.ratelimit.StoreFailure;
import dev.bulwark.gateway.ratelimit.TokenBucket;
import dev.bulwark.gateway.upstream.UpstreamPolicy;
import dev.bulwark.gateway.validation.OpenApiContract;
import dev.bulwark.gateway.validation.RequestLimits;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;

/**
 * The gateway under load, beside what a plain TLS reverse proxy (nginx) needs to front the same
 * upstream: {@code bench/gateway/run.sh} drives both with {@code wrk} and compares them.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.bulwark.bench.gateway.GatewayLoad OUT_DIR}
 * starts on loopback, in this JVM: a test CA; an upstream that answers {@code /api/*} with a
 * ~200-byte JSON body and admits only clients holding a certificate from that CA (mutual TLS 1.3);
 * a JWKS issuer; and the gateway in front of the upstream with every check it has (TLS 1.3, ES256
 * token verification with its verified-token cache, the Cedar route policy, audit of refusals
 * through an asynchronous emitter into the {@code bulwark.audit} log, mutual TLS to the upstream).
 * It then writes into OUT_DIR what the driver needs and serves until killed:
 *
 * <ul>
 *   <li>{@code ca.pem}: the CA certificate;
 *   <li>{@code nginx-cert.pem}, {@code nginx-key.pem}: a P-256 server certificate (chain) and key
 *       for 127.0.0.1 / localhost, like the gateway's;
 *   <li>{@code client-cert.pem}, {@code client-key.pem}: the proxy's client certificate and key for
 *       mutual TLS to the upstream ({@code proxy_ssl_certificate});
 *   <li>{@code upstream-port}, {@code gateway-url};
 *   <li>{@code token}: an access token for the route, valid for an hour;
 *   <li>{@code ready}, last.
 * </ul>
 */
public final class GatewayLoad {
  static final String AUDIENCE = "urn:bench:api";
  static final String ROUTE_PREFIX = "/api";
  static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

  // About 200 bytes, like a small API answer.
  private static final byte[] BODY =
      ("{\"id\":\"7f3c9a2e-5b1d-4c8e-9f60-2a4b8d1e3c57\",\"status\":\"active\","
              + "\"owner\":\"client-bench\",\"amount\":{\"value\":\"1299.00\",\"currency\":\"EUR\"},"
              + "\"created\":\"2026-11-23T12:00:00Z\",\"tags\":[\"bench\",\"gateway\",\"nginx\"]}")
          .getBytes(StandardCharsets.UTF_8);

  private static final String CONTRACT =
      """
      openapi: 3.0.3
      info: {title: bench, version: "1"}
      paths:
        /api/{item}:
          get:
            parameters:
              - {name: item, in: path, required: true, schema: {type: string, maxLength: 64}}
            responses:
              "200": {description: the item}
      """;

  private GatewayLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GatewayLoad OUT_DIR");
    }
    Path out = Files.createDirectories(Path.of(args[0]));
    Clock clock = Clock.systemUTC();
    CertificateAuthority authority =
        CertificateAuthority.createRoot("Gateway bench CA", Duration.ofDays(1), clock);
    Metrics metrics = Metrics.create();
    ECKey signingKey =
        new ECKeyGenerator(Curve.P_256).keyID("bench-1").algorithm(JWSAlgorithm.ES256).generate();
    String jwks = new JWKSet(signingKey.toPublicJWK()).toString();
    HttpListener issuer =
        listener("issuer", authority, metrics, List.of())
            .routes(r -> r.get("/jwks", (req, res) -> res.send(jwks)))
            .start();
    // The upstream admits only holders of a certificate from the CA: the gateway and nginx alike.
    HttpListener upstream =
        listener("upstream", authority, metrics, List.of(authority.certificate()))
            .routes(r -> r.get(ROUTE_PREFIX + "/*", GatewayLoad::answer))
            .start();

    CertifiedKey proxyClient = endpoint(authority, "bench-proxy");
    SSLContext trustOnly = TlsContexts.client(List.of(authority.certificate()), Optional.empty());
    SSLContext upstreamTls =
        TlsContexts.client(
            List.of(authority.certificate()), Optional.of(new ReloadableKeyManager(proxyClient)));
    // As the platform does: audit events leave the request thread through an emitter's buffer.
    AuditSink log = AuditSink.log();
    AuditEmitter audit =
        AuditEmitter.builder(events -> events.forEach(log::emit)).name("gateway").build();
    RoutePolicy policy = RoutePolicy.reference(audit, clock);
    // Every check on: rate limits by client and by address (high enough never to refuse, so that
    // both runs serve the same load; local unless BENCH_REDIS_URL names a Redis), request limits
    // with a JSON-only content-type allow-list, and an OpenAPI contract every request is checked
    // against.
    Path contract = out.resolve("openapi.yaml");
    Files.writeString(contract, CONTRACT);
    TokenBucket generous = TokenBucket.parse("1000000/s", 10_000_000);
    RouteSpec route =
        RouteSpec.of(
                new Route("api", ROUTE_PREFIX, upstream.url(), AUDIENCE),
                UpstreamPolicy.defaults(List.of(upstream.url()), Duration.ofSeconds(10)))
            .withRateLimits(
                List.of(
                    new RateLimitRule(
                        "per-address", generous, LimitKey.ADDRESS, StoreFailure.LOCAL),
                    new RateLimitRule("per-client", generous, LimitKey.CLIENT, StoreFailure.LOCAL)))
            .withLimits(RequestLimits.defaults().withContentTypes("application/json"))
            .withContract(OpenApiContract.load(contract));
    Optional<String> redisUrl = Optional.ofNullable(System.getenv("BENCH_REDIS_URL"));
    RateLimiter limiter =
        redisUrl.isPresent()
            ? RedisRateLimiter.builder(redisUrl.get(), metrics.registry()).build()
            : LocalRateLimiter.create();
    Gateway gateway =
        Gateway.builder()
            .routes(
                new GatewayRoutes(
                    List.of(route),
                    List.of(
                        TrustedIssuer.ofJwts(
                            issuer.url().toString(),
                            issuer.url().resolve("/jwks"),
                            Set.of("ES256")))))
            .issuerTls(trustOnly)
            .upstreamTls(r -> upstreamTls)
            .policy(policy)
            .audit(audit)
            .metrics(metrics.registry())
            .rateLimiter(limiter)
            .listener(listener("gateway", authority, metrics, List.of()).audit(audit))
            .start();

    Files.writeString(out.resolve("ca.pem"), authority.certificatePem());
    writeKey(out, "nginx", endpoint(authority, "bench-nginx"));
    writeKey(out, "client", proxyClient);
    Files.writeString(out.resolve("upstream-port"), Integer.toString(upstream.port()));
    Files.writeString(out.resolve("gateway-url"), gateway.url().toString());
    Files.writeString(
        out.resolve("token"), token(signingKey, issuer.url().toString(), clock.instant()));
    Files.writeString(out.resolve("ready"), "ready\n");
    System.out.printf(
        "gateway %s, upstream %s; %d cores; inputs in %s%n",
        gateway.url(), upstream.url(), Runtime.getRuntime().availableProcessors(), out);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      gateway.close();
                      policy.close();
                      audit.close();
                      upstream.close();
                      issuer.close();
                      metrics.close();
                    }));
    new CountDownLatch(1).await();
  }

  private static void answer(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.send(BODY);
  }

  private static HttpListener.Builder listener(
      String name, CertificateAuthority authority, Metrics metrics, List<X509Certificate> clients)
      throws IOException {
    return HttpListener.builder(name)
        .tls(
            TlsContexts.server(new ReloadableKeyManager(endpoint(authority, name)), clients),
            clients.isEmpty() ? TlsContexts.ClientAuth.NONE : TlsContexts.ClientAuth.REQUIRED)
        .metrics(metrics);
  }

  private static CertifiedKey endpoint(CertificateAuthority authority, String name)
      throws IOException {
    return authority.issueEndpointCertificate(
        name,
        List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1")),
        Duration.ofHours(12));
  }

  /** {@code <name>-cert.pem} (the chain, leaf first) and {@code <name>-key.pem} (PKCS#8). */
  private static void writeKey(Path out, String name, CertifiedKey key) throws IOException {
    StringBuilder chain = new StringBuilder();
    key.chain().forEach(c -> chain.append(CertificateAuthority.toPem(c)));
    Files.writeString(out.resolve(name + "-cert.pem"), chain);
    Path keyFile = out.resolve(name + "-key.pem");
    Files.deleteIfExists(keyFile);
    Files.createFile(
        keyFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        keyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.privateKey().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }

  /** An ES256 access token for the route, as the identity provider would issue it. */
  private static String token(ECKey key, String issuer, Instant now) throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(key.getKeyID())
                .build(),
            new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject("client-bench")
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .jwtID(UUID.randomUUID().toString())
                .claim("client_id", "client-bench")
                .build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }
}
