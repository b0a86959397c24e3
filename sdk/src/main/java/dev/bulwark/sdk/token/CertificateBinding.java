package dev.bulwark.sdk.token;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Certificate-bound access tokens (RFC 8705 §3): a token whose {@code cnf} claim carries the
 * SHA-256 thumbprint of a client certificate may be used only over mutual TLS with that
 * certificate.
 */
public final class CertificateBinding {
  private static final int SHA256_BYTES = 32;

  private CertificateBinding() {}

  /**
   * Reads the certificate thumbprint from a {@code cnf} claim or introspection member (RFC 8705
   * §3.1, §3.2).
   *
   * @param cnf the claim's value as parsed from JSON, empty if the token has none
   * @return the base64url {@code x5t#S256} thumbprint, or empty for a token bound to nothing
   * @throws IllegalArgumentException if {@code cnf} is present but not an object with a base64url
   *     SHA-256 {@code x5t#S256}: such a token must be refused, never treated as unbound (that
   *     includes bindings this code cannot check, such as DPoP's {@code jkt})
   */
  public static Optional<String> fromConfirmation(Optional<Object> cnf) {
    requireNonNull(cnf, "cnf");
    if (cnf.isEmpty()) {
      return Optional.empty();
    }
    if (!(cnf.get() instanceof Map<?, ?> confirmation)
        || !(confirmation.get("x5t#S256") instanceof String thumbprint)) {
      throw new IllegalArgumentException("cnf: not an object with x5t#S256 (RFC 8705 §3.1)");
    }
    byte[] digest;
    try {
      digest = Base64.getUrlDecoder().decode(thumbprint);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cnf: x5t#S256 is not base64url", e);
    }
    if (digest.length != SHA256_BYTES || thumbprint.endsWith("=")) {
      throw new IllegalArgumentException(
          "cnf: x5t#S256 is not an unpadded base64url SHA-256 digest");
    }
    return Optional.of(thumbprint);
  }

  /** The base64url SHA-256 thumbprint of the certificate's DER encoding (RFC 8705 §3.1). */
  public static String thumbprint(X509Certificate certificate) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(certificate));
  }

  /**
   * Whether {@code token} may be used by a caller that presented {@code clientCertificate}: always
   * for an unbound token; for a bound one only with the certificate whose thumbprint it names,
   * compared in constant time.
   */
  public static boolean permits(AccessToken token, Optional<X509Certificate> clientCertificate) {
    requireNonNull(token, "token");
    requireNonNull(clientCertificate, "clientCertificate");
    if (token.certificateThumbprint().isEmpty()) {
      return true;
    }
    if (clientCertificate.isEmpty()) {
      return false;
    }
    byte[] expected = Base64.getUrlDecoder().decode(token.certificateThumbprint().get());
    return MessageDigest.isEqual(expected, digest(clientCertificate.get()));
  }

  private static byte[] digest(X509Certificate certificate) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate: cannot be DER-encoded", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
