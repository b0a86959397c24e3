package dev.bulwark.sdk.tls;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A private key with the certificate chain that certifies it, leaf first. The key never appears in
 * {@link #toString()}.
 */
public final class CertifiedKey {
  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;

  /**
   * {@code privateKey} with {@code chain}, leaf first.
   *
   * @throws IllegalArgumentException if {@code chain} is empty
   */
  public CertifiedKey(PrivateKey privateKey, List<X509Certificate> chain) {
    this.privateKey = requireNonNull(privateKey, "privateKey");
    this.chain = List.copyOf(requireNonNull(chain, "chain"));
    if (this.chain.isEmpty()) {
      throw new IllegalArgumentException("chain: empty (expected: the leaf certificate first)");
    }
  }

  /** The private key of the leaf certificate. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The certificate chain, leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The certificate of the key. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** When the leaf certificate expires. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  @Override
  public String toString() {
    return "CertifiedKey{subject="
        + leaf().getSubjectX500Principal().getName()
        + ", notAfter="
        + notAfter()
        + ", privateKey=***}";
  }
}
