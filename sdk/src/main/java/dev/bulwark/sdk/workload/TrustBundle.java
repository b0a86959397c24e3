package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.X509CertChainUtils;
import com.nimbusds.jose.util.X509CertUtils;
import java.security.cert.CertificateException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CA certificates a trust domain's X.509-SVIDs chain to, as the SPIFFE Trust Domain and Bundle
 * specification (§4) defines them: a JWK set whose {@code x509-svid} keys each carry one CA
 * certificate, with a sequence number that grows with every change. During a root rotation a bundle
 * holds the old and the new root, so certificates of either verify.
 */
public final class TrustBundle {
  private static final KeyUse X509_SVID = new KeyUse("x509-svid");

  private final TrustDomain trustDomain;
  private final List<X509Certificate> authorities;
  private final long sequence;
  private final Duration refreshHint;
  private final Set<TrustAnchor> anchors;

  private TrustBundle(
      TrustDomain trustDomain,
      List<X509Certificate> authorities,
      long sequence,
      Duration refreshHint) {
    this.trustDomain = trustDomain;
    this.authorities = authorities;
    this.sequence = sequence;
    this.refreshHint = refreshHint;
    Set<TrustAnchor> set = new LinkedHashSet<>();
    authorities.forEach(a -> set.add(new TrustAnchor(a, null)));
    this.anchors = Set.copyOf(set);
  }

  /**
   * A bundle of {@code authorities}, each a CA certificate.
   *
   * @throws IllegalArgumentException if there are none, or one is not a CA certificate
   */
  public static TrustBundle of(
      TrustDomain trustDomain,
      List<X509Certificate> authorities,
      long sequence,
      Duration refreshHint) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(refreshHint, "refreshHint");
    List<X509Certificate> copy = List.copyOf(authorities);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("trust bundle: no CA certificates");
    }
    for (X509Certificate authority : copy) {
      if (authority.getBasicConstraints() < 0) {
        throw new IllegalArgumentException(
            "trust bundle: "
                + authority.getSubjectX500Principal().getName()
                + " is not a CA certificate");
      }
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("trust bundle: sequence " + sequence + " (expected >= 0)");
    }
    if (refreshHint.isNegative() || refreshHint.isZero()) {
      throw new IllegalArgumentException(
          "trust bundle: refresh hint " + refreshHint + " (expected > 0)");
    }
    return new TrustBundle(trustDomain, copy, sequence, refreshHint);
  }

  /**
   * Parses a bundle in the SPIFFE JSON format. Keys for JWT-SVIDs are ignored.
   *
   * @throws IllegalArgumentException if {@code json} is not a valid X.509 bundle
   */
  public static TrustBundle parse(TrustDomain trustDomain, String json) {
    requireNonNull(json, "json");
    try {
      Map<String, Object> object = JSONObjectUtils.parse(json);
      JWKSet keys = JWKSet.parse(object);
      List<X509Certificate> authorities = new ArrayList<>();
      for (JWK key : keys.getKeys()) {
        if (!X509_SVID.equals(key.getKeyUse())) {
          continue;
        }
        // X.509-SVID §6.2: an entry without x5c is ignored, and only the first x5c value counts.
        List<Base64> x5c = key.getX509CertChain();
        if (x5c == null || x5c.isEmpty()) {
          continue;
        }
        X509Certificate certificate = X509CertUtils.parse(x5c.get(0).decode());
        if (certificate == null) {
          throw new IllegalArgumentException("trust bundle: an x5c certificate cannot be parsed");
        }
        authorities.add(certificate);
      }
      // Both members are optional (SPIFFE Trust Domain and Bundle §4.1); JSONObjectUtils.getLong
      // throws on an absent member rather than returning null.
      long sequence =
          object.get("spiffe_sequence") == null
              ? 0
              : JSONObjectUtils.getLong(object, "spiffe_sequence");
      long refresh =
          object.get("spiffe_refresh_hint") == null
              ? 300
              : JSONObjectUtils.getLong(object, "spiffe_refresh_hint");
      return of(trustDomain, authorities, sequence, Duration.ofSeconds(refresh));
    } catch (ParseException e) {
      throw new IllegalArgumentException("trust bundle: not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A bundle from PEM-encoded CA certificates, as an operator hands one over out of band.
   *
   * @throws IllegalArgumentException if {@code pem} holds no certificate
   */
  public static TrustBundle fromPem(TrustDomain trustDomain, String pem) {
    try {
      return of(trustDomain, X509CertChainUtils.parse(pem), 0, Duration.ofMinutes(5));
    } catch (CertificateException | java.io.IOException e) {
      throw new IllegalArgumentException("trust bundle: the PEM cannot be parsed", e);
    }
  }

  /**
   * This bundle in the SPIFFE JSON format: one {@code x509-svid} key per authority, without a
   * {@code kid} (X.509-SVID §6.1).
   */
  public String toJson() {
    List<JWK> keys = new ArrayList<>();
    for (X509Certificate authority : authorities) {
      try {
        JWK key = JWK.parse(authority);
        keys.add(
            switch (key) {
              case com.nimbusds.jose.jwk.ECKey ec ->
                  new com.nimbusds.jose.jwk.ECKey.Builder(ec)
                      .keyUse(X509_SVID)
                      .keyID(null)
                      .x509CertSHA256Thumbprint(null)
                      .build();
              case com.nimbusds.jose.jwk.RSAKey rsa ->
                  new com.nimbusds.jose.jwk.RSAKey.Builder(rsa)
                      .keyUse(X509_SVID)
                      .keyID(null)
                      .x509CertSHA256Thumbprint(null)
                      .build();
              default ->
                  throw new IllegalStateException(
                      "unsupported CA key type " + key.getKeyType().getValue());
            });
      } catch (JOSEException e) {
        throw new IllegalStateException("a CA certificate cannot be expressed as a JWK", e);
      }
    }
    Map<String, Object> object = new LinkedHashMap<>(new JWKSet(keys).toJSONObject(true));
    object.put("spiffe_sequence", sequence);
    object.put("spiffe_refresh_hint", refreshHint.toSeconds());
    return JSONObjectUtils.toJSONString(object);
  }

  /** The CA certificates in PEM, for tools such as {@code curl --cacert}. */
  public String toPem() {
    StringBuilder pem = new StringBuilder();
    authorities.forEach(a -> pem.append(X509CertUtils.toPEMString(a)).append('\n'));
    return pem.toString();
  }

  /** The trust domain whose SVIDs these authorities issue. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The CA certificates, usually self-signed roots. */
  public List<X509Certificate> authorities() {
    return authorities;
  }

  /** Grows with every change to the bundle, so a holder can tell a newer one from an older. */
  public long sequence() {
    return sequence;
  }

  /** How often a holder should fetch the bundle again. */
  public Duration refreshHint() {
    return refreshHint;
  }

  /** The authorities as PKIX trust anchors. */
  public Set<TrustAnchor> anchors() {
    return anchors;
  }

  @Override
  public String toString() {
    return "TrustBundle{"
        + trustDomain
        + ", sequence="
        + sequence
        + ", "
        + authorities.size()
        + " authorities}";
  }
}
