package dev.bulwark.gateway.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.gateway.TestEndpoints;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.metrics.Metrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTPS issuer on loopback: serves its JWKS at {@code /jwks} and answers RFC 7662
 * introspection at {@code /introspect} (client_secret_basic), counting both, and signs tokens with
 * its ES256, RS256 and Ed25519 keys.
 */
final class TestIssuer implements AutoCloseable {
  static final String CLIENT_ID = "gateway";
  static final String CLIENT_SECRET = "s3cret:with/odd&chars";

  final String name;
  final ECKey ecKey;
  final RSAKey rsaKey;
  final OctetKeyPair edKey;
  final AtomicInteger jwksFetches = new AtomicInteger();
  final AtomicInteger introspections = new AtomicInteger();
  final AtomicBoolean introspectionDown = new AtomicBoolean();
  final Map<String, ObjectNode> opaque = new ConcurrentHashMap<>();
  private final HttpListener listener;

  TestIssuer(String name, CertificateAuthority authority, Metrics metrics) throws Exception {
    this.name = name;
    ecKey = new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
    rsaKey = new RSAKeyGenerator(2048).keyID("r1").algorithm(JWSAlgorithm.RS256).generate();
    edKey =
        new OctetKeyPairGenerator(Curve.Ed25519)
            .keyID("e1")
            .algorithm(JWSAlgorithm.EdDSA)
            .generate();
    String jwks =
        new JWKSet(List.<JWK>of(ecKey.toPublicJWK(), rsaKey.toPublicJWK(), edKey.toPublicJWK()))
            .toString();
    listener =
        TestEndpoints.listener(authority, metrics, name)
            .routes(
                r ->
                    r.get(
                            "/jwks",
                            (req, res) -> {
                              jwksFetches.incrementAndGet();
                              res.header("Content-Type", "application/json").send(jwks);
                            })
                        .post("/introspect", this::introspect))
            .start();
  }

  String issuer() {
    return listener.url().toString();
  }

  URI jwksUri() {
    return listener.url().resolve("/jwks");
  }

  Introspection introspection() {
    return new Introspection(
        listener.url().resolve("/introspect"),
        CLIENT_ID,
        ClientSecret.of(CLIENT_SECRET.toCharArray()));
  }

  /** Registers an opaque token; the issuer answers active with these members. */
  String opaqueToken(String audience, Instant expiresAt, UnaryOperator<ObjectNode> extra) {
    String token = UUID.randomUUID().toString().replace("-", "");
    ObjectNode answer = Json.object();
    answer.put("active", true);
    answer.put("iss", issuer());
    answer.put("sub", "user-1");
    answer.put("client_id", "shop");
    answer.putArray("aud").add(audience);
    answer.put("scope", "payments:read");
    answer.put("exp", expiresAt.getEpochSecond());
    answer.put("iat", expiresAt.minusSeconds(300).getEpochSecond());
    opaque.put(token, extra.apply(answer));
    return token;
  }

  private void introspect(ServerRequest req, ServerResponse res) {
    introspections.incrementAndGet();
    if (introspectionDown.get()) {
      res.status(Status.SERVICE_UNAVAILABLE_503).send();
      return;
    }
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (CLIENT_ID
                            + ":"
                            + java.net.URLEncoder.encode(CLIENT_SECRET, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
    if (!req.headers().first(HeaderNames.AUTHORIZATION).orElse("").equals(expected)) {
      res.status(Status.UNAUTHORIZED_401).send();
      return;
    }
    String token = "";
    for (String pair : req.content().as(String.class).split("&")) {
      if (pair.startsWith("token=")) {
        token = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
      }
    }
    ObjectNode answer = Optional.ofNullable(opaque.get(token)).orElseGet(Json::object);
    if (!answer.has("active")) {
      answer.put("active", false);
    }
    res.header("Content-Type", "application/json").send(Json.bytes(answer));
  }

  /** Claims of a valid RFC 9068 token of this issuer for {@code audience}. */
  JWTClaimsSet.Builder claims(String audience, Instant now) {
    return new JWTClaimsSet.Builder()
        .issuer(issuer())
        .subject("user-1")
        .audience(audience)
        .claim("client_id", "shop")
        .claim("scope", "payments:read")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .jwtID(UUID.randomUUID().toString());
  }

  String es256(JWTClaimsSet claims) throws Exception {
    return sign(new ECDSASigner(ecKey), JWSAlgorithm.ES256, "k1", claims);
  }

  static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims)
      throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).keyID(kid).type(new JOSEObjectType("at+jwt")).build(),
            claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  String rs256(JWTClaimsSet claims) throws Exception {
    return sign(new RSASSASigner(rsaKey), JWSAlgorithm.RS256, "r1", claims);
  }

  String eddsa(JWTClaimsSet claims) throws Exception {
    return sign(new Ed25519Signer(edKey), JWSAlgorithm.EdDSA, "e1", claims);
  }

  @Override
  public void close() {
    listener.close();
  }
}
