package dev.bulwark.sdk.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures: the issuer's keys, verifiers trusting them, and RFC 9068 access tokens (typ {@code
 * at+jwt}; iss, sub, aud, exp, iat, jti, client_id, scope) in which any header or claim can be
 * overridden.
 */
final class TestTokens {
  static final String ISSUER = "https://id.bulwark.test";
  static final String AUDIENCE = "https://orders.bulwark.test";
  static final String SUBJECT = "user-7f3a";
  static final String CLIENT_ID = "orders-web";
  static final String SCOPE = "orders:read orders:write";
  static final String TOKEN_ID = "jti-0c5e1b7a";
  static final String KEY_ID = "issuer-es256-1";

  /** The instant every test verifier believes it is. */
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  /** Default token lifetime: issued at {@link #NOW}, expiring this much later. */
  static final Duration LIFETIME = Duration.ofMinutes(5);

  private static final ECKey ISSUER_KEY = newEcKey(KEY_ID);

  private TestTokens() {}

  /** The issuer's ES256 signing key pair (private part included), kid {@link #KEY_ID}. */
  static ECKey issuerKey() {
    return ISSUER_KEY;
  }

  /** A fresh P-256 signing key pair with {@code kid}. */
  static ECKey newEcKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An RSA signing key pair of the issuer, kid {@code issuer-rs256-1}, generated once (RSA key
   * generation is slow).
   */
  static RSAKey issuerRsaKey() {
    return RsaKeyHolder.KEY;
  }

  private static final class RsaKeyHolder {
    static final RSAKey KEY = newRsaKey("issuer-rs256-1");
  }

  /** A fresh 2048-bit RSA signing key pair with {@code kid}. */
  static RSAKey newRsaKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A clock stopped at {@code instant}. */
  static Clock clockAt(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  /**
   * A verifier builder for {@link #ISSUER} and {@link #AUDIENCE} at {@link #NOW}, trusting the
   * issuer key.
   */
  static AccessTokenVerifier.Builder verifier() {
    return verifierTrusting(ISSUER_KEY.toPublicJWK());
  }

  /**
   * A verifier builder for {@link #ISSUER} and {@link #AUDIENCE} at {@link #NOW}, trusting {@code
   * keys}.
   */
  static AccessTokenVerifier.Builder verifierTrusting(JWK... publicKeys) {
    return AccessTokenVerifier.builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .keys(new JWKSet(List.of(publicKeys)))
        .clock(clockAt(NOW));
  }

  /** A valid access token, signed ES256 by the issuer key, ready to be altered. */
  static TokenBuilder token() {
    return new TokenBuilder();
  }

  /** {@code base64url(header).base64url(payload).} with an empty signature, as written by hand. */
  static String unsigned(String headerJson, String payloadJson) {
    return base64Url(headerJson) + "." + base64Url(payloadJson) + ".";
  }

  static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Builds one signed token; every setter accepting {@code null} removes that header or claim. */
  static final class TokenBuilder {
    private JWSAlgorithm algorithm = JWSAlgorithm.ES256;
    private JOSEObjectType type = new JOSEObjectType("at+jwt");
    private String keyId = KEY_ID;
    private final Map<String, Object> headerParameters = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private JWSSigner signer;

    private TokenBuilder() {
      claims.put("iss", ISSUER);
      claims.put("sub", SUBJECT);
      claims.put("aud", List.of(AUDIENCE));
      claims.put("exp", Date.from(NOW.plus(LIFETIME)));
      claims.put("iat", Date.from(NOW));
      claims.put("jti", TOKEN_ID);
      claims.put("client_id", CLIENT_ID);
      claims.put("scope", SCOPE);
      signedBy(ISSUER_KEY);
    }

    /** The header's {@code alg}; the signer must fit it. */
    TokenBuilder algorithm(JWSAlgorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /** The header's {@code typ}, or none. */
    TokenBuilder type(String type) {
      this.type = type == null ? null : new JOSEObjectType(type);
      return this;
    }

    /** The header's {@code kid}, or none. */
    TokenBuilder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    /** Any other header parameter. */
    TokenBuilder header(String name, Object value) {
      headerParameters.put(name, value);
      return this;
    }

    /** Sets a claim, or removes it when {@code value} is null. */
    TokenBuilder claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Removes a claim. */
    TokenBuilder without(String name) {
      return claim(name, null);
    }

    TokenBuilder issuedAt(Instant instant) {
      return claim("iat", Date.from(instant));
    }

    TokenBuilder expiresAt(Instant instant) {
      return claim("exp", Date.from(instant));
    }

    TokenBuilder notBefore(Instant instant) {
      return claim("nbf", Date.from(instant));
    }

    /** Signs with this EC key (alg stays as set, ES256 by default). */
    TokenBuilder signedBy(ECKey key) {
      try {
        return signedWith(new ECDSASigner(key));
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Signs with this RSA key and alg RS256, with the key's kid. */
    TokenBuilder signedBy(RSAKey key) {
      try {
        return algorithm(JWSAlgorithm.RS256)
            .keyId(key.getKeyID())
            .signedWith(new RSASSASigner(key));
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Signs with any signer, e.g. a {@code MACSigner}. */
    TokenBuilder signedWith(JWSSigner signer) {
      this.signer = signer;
      return this;
    }

    /** The claims as they will be signed. */
    JWTClaimsSet claims() {
      JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
      claims.forEach(builder::claim);
      return builder.build();
    }

    /** The header as it will be signed. */
    JWSHeader header() {
      JWSHeader.Builder builder = new JWSHeader.Builder(algorithm).type(type).keyID(keyId);
      headerParameters.forEach(builder::customParam);
      return builder.build();
    }

    /** Signs and returns the compact serialization. */
    String serialize() {
      SignedJWT jwt = new SignedJWT(header(), claims());
      try {
        jwt.sign(signer);
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
      return jwt.serialize();
    }
  }

  /** An https JWKS URL on a loopback port where nothing listens. */
  static URI unusedLoopbackJwksUri() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return URI.create("https://127.0.0.1:" + port + "/.well-known/jwks.json");
  }
}
