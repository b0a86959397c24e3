package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.tls.CertifiedKey;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An X.509-SVID: a workload's SPIFFE ID, the short-lived certificate that proves it (leaf first,
 * then the intermediates up to, not including, a root of the trust bundle) and the private key.
 */
public final class X509Svid {
  private final SpiffeId id;
  private final CertifiedKey key;

  /**
   * An SVID from {@code key}, whose leaf certificate must name {@code id}.
   *
   * @throws IllegalArgumentException if the leaf names another or no SPIFFE ID
   */
  public X509Svid(SpiffeId id, CertifiedKey key) {
    this.id = requireNonNull(id, "id");
    this.key = requireNonNull(key, "key");
    SpiffeId named =
        SpiffeId.fromCertificate(key.leaf())
            .orElseThrow(() -> new IllegalArgumentException("the certificate names no SPIFFE ID"));
    if (!named.equals(id)) {
      throw new IllegalArgumentException("the certificate names " + named + ", not " + id);
    }
  }

  /** The workload this SVID names. */
  public SpiffeId id() {
    return id;
  }

  /** The private key with the certificate chain, as a key manager presents them. */
  public CertifiedKey key() {
    return key;
  }

  /** The certificate chain, leaf first. */
  public List<X509Certificate> chain() {
    return key.chain();
  }

  /** The SVID's own certificate. */
  public X509Certificate leaf() {
    return key.leaf();
  }

  /** The leaf's serial number, as a deny list names it. */
  public BigInteger serialNumber() {
    return key.leaf().getSerialNumber();
  }

  /** When the leaf becomes valid. */
  public Instant notBefore() {
    return key.leaf().getNotBefore().toInstant();
  }

  /** When the leaf expires. */
  public Instant notAfter() {
    return key.notAfter();
  }

  /** From {@link #notBefore()} to {@link #notAfter()}. */
  public Duration lifetime() {
    return Duration.between(notBefore(), notAfter());
  }

  @Override
  public String toString() {
    return "X509Svid{"
        + id
        + ", serial="
        + serialNumber().toString(16)
        + ", notAfter="
        + notAfter()
        + "}";
  }
}
