package dev.bulwark.ca;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A stand-in for a Kubernetes API server's service-account token issuer: its own keys, and tokens
 * shaped like the projected tokens the kubelet mounts into pods.
 */
public final class TestKubernetesIssuer {
  public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";

  private final RSAKey rsa;
  private final ECKey ec;

  public TestKubernetesIssuer() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("rsa-" + UUID.randomUUID()).generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("ec-" + UUID.randomUUID()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public keys, as {@code /openid/v1/jwks} serves them. */
  public JWKSet jwks() {
    return new JWKSet(List.of(rsa, ec)).toPublicJWKSet();
  }

  public RSAKey rsaKey() {
    return rsa;
  }

  /** A token for service account {@code serviceAccount} in {@code namespace}, valid now. */
  public String token(String namespace, String serviceAccount) {
    return token(namespace, serviceAccount, claims -> {});
  }

  /** Such a token, with claims changed by {@code change}, signed RS256. */
  public String token(
      String namespace, String serviceAccount, Consumer<JWTClaimsSet.Builder> change) {
    return sign(claims(namespace, serviceAccount, change), JWSAlgorithm.RS256);
  }

  /** Such a token signed ES256. */
  public String es256Token(String namespace, String serviceAccount) {
    return sign(claims(namespace, serviceAccount, c -> {}), JWSAlgorithm.ES256);
  }

  /** The claims of a projected service-account token, changed by {@code change}. */
  public static JWTClaimsSet claims(
      String namespace, String serviceAccount, Consumer<JWTClaimsSet.Builder> change) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(List.of(KubernetesSettings.DEFAULT_AUDIENCE))
            .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)))
            .jwtID(UUID.randomUUID().toString())
            .claim(
                "kubernetes.io",
                Map.of(
                    "namespace",
                    namespace,
                    "node",
                    Map.of("name", "node-1", "uid", UUID.randomUUID().toString()),
                    "pod",
                    Map.of("name", serviceAccount + "-7d9f8", "uid", UUID.randomUUID().toString()),
                    "serviceaccount",
                    Map.of("name", serviceAccount, "uid", UUID.randomUUID().toString())));
    change.accept(claims);
    return claims.build();
  }

  private String sign(JWTClaimsSet claims, JWSAlgorithm algorithm) {
    try {
      boolean isRsa = algorithm.equals(JWSAlgorithm.RS256);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(algorithm)
                  .keyID(isRsa ? rsa.getKeyID() : ec.getKeyID())
                  .build(),
              claims);
      jwt.sign(isRsa ? new RSASSASigner(rsa) : new ECDSASigner(ec));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
