package dev.bulwark.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An issuer whose access tokens the gateway accepts: its JWTs verified against its JWKS, its opaque
 * tokens asked about at its introspection endpoint, or both.
 *
 * @param issuer the exact {@code iss} value (RFC 9068 §4)
 * @param jwksUri where the issuer publishes its signing keys; empty if it issues no JWTs to trust
 * @param algorithms the JWS algorithms accepted for this issuer's JWTs, e.g. {@code ES256}, {@code
 *     RS256}, {@code EdDSA}; never {@code none} or an HMAC algorithm
 * @param introspection how to ask the issuer about opaque tokens; empty if it issues none
 * @param clockSkew the tolerated difference between the issuer's clock and ours, 0 to 5 minutes
 */
public record TrustedIssuer(
    String issuer,
    Optional<URI> jwksUri,
    Set<String> algorithms,
    Optional<Introspection> introspection,
    Duration clockSkew) {
  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  private static final Set<String> ASYMMETRIC =
      Set.of(
          "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
          "Ed25519");

  /** Checks every field; see the record's parameters for what each must be. */
  public TrustedIssuer {
    requireNonNull(issuer, "issuer");
    requireNonNull(jwksUri, "jwksUri");
    requireNonNull(algorithms, "algorithms");
    requireNonNull(introspection, "introspection");
    requireNonNull(clockSkew, "clockSkew");
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("issuer: blank (expected: the issuer's exact iss value)");
    }
    jwksUri.ifPresent(
        uri -> {
          if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("jwksUri: " + uri + " (expected: an https URL)");
          }
        });
    if (jwksUri.isEmpty() && introspection.isEmpty()) {
      throw new IllegalArgumentException(
          "issuer " + issuer + ": neither jwksUri nor introspection (expected: at least one)");
    }
    algorithms = Set.copyOf(algorithms);
    if (jwksUri.isPresent() && algorithms.isEmpty()) {
      throw new IllegalArgumentException("algorithms: empty (expected: e.g. ES256)");
    }
    for (String algorithm : algorithms) {
      checkAlgorithm(algorithm);
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: 0s to 5m)");
    }
  }

  /** An issuer of JWTs only, with a 30-second clock skew. */
  public static TrustedIssuer ofJwts(String issuer, URI jwksUri, Set<String> algorithms) {
    return new TrustedIssuer(
        issuer, Optional.of(jwksUri), algorithms, Optional.empty(), Duration.ofSeconds(30));
  }

  private static void checkAlgorithm(String algorithm) {
    String upper = algorithm.toUpperCase(Locale.ROOT);
    if (upper.equals("NONE")) {
      throw new IllegalArgumentException(
          "algorithms: none (expected: a signature algorithm; unsigned tokens are never trusted)");
    }
    if (upper.startsWith("HS")) {
      throw new IllegalArgumentException(
          "algorithms: "
              + algorithm
              + " (expected: an asymmetric algorithm; with HMAC anyone holding the shared secret,"
              + " or the public key mistaken for one, could mint tokens)");
    }
    if (!ASYMMETRIC.contains(algorithm)) {
      throw new IllegalArgumentException(
          "algorithms: " + algorithm + " (expected: one of " + ASYMMETRIC + ")");
    }
  }
}
