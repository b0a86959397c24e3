package dev.bulwark.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.metrics.Metrics;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The real HTTPS listeners and signed access tokens the gateway tests stand up. */
public final class TestEndpoints {
  private TestEndpoints() {}

  /** A listener on 127.0.0.1 with a certificate from {@code authority} naming that address. */
  public static HttpListener.Builder listener(
      CertificateAuthority authority, Metrics metrics, String name) throws UnknownHostException {
    ReloadableKeyManager key =
        new ReloadableKeyManager(
            authority.issueEndpointCertificate(
                name,
                List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")),
                Duration.ofHours(1)));
    return HttpListener.builder(name)
        .tls(TlsContexts.server(key, List.of()), TlsContexts.ClientAuth.NONE)
        .metrics(metrics);
  }

  /** An ES256 {@code at+jwt} access token for {@code audience}, valid for five minutes. */
  static String accessToken(
      ECKey key, String issuer, String audience, String subject, Map<String, Object> claims)
      throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet.Builder body =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(subject)
            .audience(audience)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .jwtID(UUID.randomUUID().toString())
            .claim("client_id", "client-1");
    claims.forEach(body::claim);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID(key.getKeyID())
                .build(),
            body.build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }
}
