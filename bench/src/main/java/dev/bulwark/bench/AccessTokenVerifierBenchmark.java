package dev.bulwark.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.sdk.token.AccessTokenVerifier;
import dev.bulwark.sdk.token.TokenVerification;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What checking one access token costs at the gateway and at every service, against the floor set
 * by the ES256 signature check alone (same key, same token), so the two can be compared as a ratio
 * in one run.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar AccessTokenVerifierBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AccessTokenVerifierBenchmark {
  private static final String ISSUER = "https://id.bench.test";
  private static final String AUDIENCE = "urn:bench:payments";

  private String token;
  private AccessTokenVerifier verifier;
  private AccessTokenVerifier cachingVerifier;
  private ECDSAVerifier signatureOnly;

  @Setup
  public void setUp() throws JOSEException {
    ECKey key =
        new ECKeyGenerator(Curve.P_256).keyID("bench").algorithm(JWSAlgorithm.ES256).generate();
    Instant now = Instant.now();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType("at+jwt"))
                .keyID("bench")
                .build(),
            new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("demo-shop")
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)))
                .jwtID("bench-jti")
                .claim("client_id", "demo-shop")
                .claim("scope", "payments:read payments:write")
                .build());
    jwt.sign(new ECDSASigner(key));
    token = jwt.serialize();
    verifier =
        AccessTokenVerifier.builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .keys(new JWKSet(key.toPublicJWK()))
            .build();
    signatureOnly = new ECDSAVerifier(key.toECPublicKey());
    cachingVerifier =
        AccessTokenVerifier.builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .keys(new JWKSet(key.toPublicJWK()))
            .cacheVerifiedTokens(10_000, java.time.Duration.ofMinutes(1))
            .build();
    if (!(verifier.verify(token) instanceof TokenVerification.Verified)) {
      throw new IllegalStateException("benchmark token does not verify");
    }
  }

  /** The full check: parse, key selection, ES256 signature, typ, iss, aud, exp, nbf, iat. */
  @Benchmark
  public TokenVerification fullVerification() {
    return verifier.verify(token);
  }

  /** A token seen before: the verified-token cache answers, only expiry is re-checked. */
  @Benchmark
  public TokenVerification cachedVerification() {
    return cachingVerifier.verify(token);
  }

  /** The floor: parsing and the ES256 signature check alone. */
  @Benchmark
  public boolean signatureOnly() throws ParseException, JOSEException {
    return SignedJWT.parse(token).verify(signatureOnly);
  }
}
