package dev.bulwark.sdk.workload;

import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.SpiffeTrustManager.Role;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The workload's side of an SVID request: a fresh key, its CSR, and the checks on the answer. */
final class SvidRequests {
  // The CA decides every name; the subject only makes the CSR well-formed.
  private static final X500Name SUBJECT = new X500Name("O=Bulwark");

  private SvidRequests() {}

  /** A new EC P-256 key pair: every SVID gets its own key. */
  static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available in this JDK", e);
    }
  }

  /** A PKCS#10 request for {@code key}, signed with it (proof of possession), DER-encoded. */
  static byte[] csr(KeyPair key) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(SUBJECT, key.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot build a certificate signing request", e);
    }
  }

  /**
   * Checks the CA's answer to a request for {@code key} and makes it an SVID: the leaf certifies
   * {@code key}, names a workload of the trust domain (the {@code expected} one when renewing), and
   * its chain verifies against the bundle, the one that came with it if that may replace {@code
   * current}.
   *
   * @throws WorkloadIdentityException ({@link Code#INVALID_RESPONSE}) if any check fails
   */
  static Issued accept(
      SvidResponse response,
      KeyPair key,
      TrustBundle current,
      Optional<SpiffeId> expected,
      Clock clock)
      throws WorkloadIdentityException {
    X509Certificate leaf = response.chain().get(0);
    if (!MessageDigest.isEqual(leaf.getPublicKey().getEncoded(), key.getPublic().getEncoded())) {
      throw invalid("the certificate the CA returned is not for this workload's key");
    }
    SpiffeId named;
    try {
      named =
          SpiffeId.fromCertificate(leaf)
              .orElseThrow(() -> new IllegalArgumentException("it names no SPIFFE ID"));
    } catch (IllegalArgumentException e) {
      throw invalid("the certificate the CA returned is not an X.509-SVID: " + e.getMessage());
    }
    if (!named.memberOf(current.trustDomain())) {
      throw invalid(
          "the CA issued an SVID for "
              + named
              + ", which is not of trust domain "
              + current.trustDomain());
    }
    if (!named.equals(response.id())) {
      throw invalid(
          "the CA says it issued " + response.id() + " but the certificate names " + named);
    }
    if (expected.isPresent() && !named.equals(expected.get())) {
      throw invalid("the CA issued an SVID for " + named + ", not for " + expected.get());
    }
    TrustBundle trust = replaces(current, response.bundle()) ? response.bundle() : current;
    // The CA may stamp notBefore a moment ahead of this host's clock; "not yet valid" is no reason
    // to refuse a certificate just issued, while an expired one is.
    Instant now = clock.instant();
    Instant notBefore = leaf.getNotBefore().toInstant();
    Clock at = Clock.fixed(now.isBefore(notBefore) ? notBefore : now, ZoneOffset.UTC);
    SpiffeTrustManager verifier =
        new SpiffeTrustManager(
            () -> trust, () -> DenyList.EMPTY, PeerAuthorizer.only(named), at, refusal -> {});
    X509Certificate[] chain = response.chain().toArray(X509Certificate[]::new);
    try {
      // The SVID serves both ends of a connection, so it must pass as either.
      verifier.verify(chain, Role.SERVER);
      verifier.verify(chain, Role.CLIENT);
    } catch (CertificateException e) {
      throw invalid("the SVID the CA returned does not verify: " + e.getMessage());
    }
    return new Issued(
        new X509Svid(named, new CertifiedKey(key.getPrivate(), response.chain())), trust);
  }

  /**
   * Whether {@code candidate} may replace {@code current}: the same trust domain, and not older (a
   * lower sequence would roll back a root rotation or reinstate a removed root).
   */
  static boolean replaces(TrustBundle current, TrustBundle candidate) {
    return candidate.trustDomain().equals(current.trustDomain())
        && candidate.sequence() >= current.sequence();
  }

  private static WorkloadIdentityException invalid(String message) {
    return new WorkloadIdentityException(Code.INVALID_RESPONSE, message);
  }

  /** An accepted SVID and the bundle it verified against. */
  record Issued(X509Svid svid, TrustBundle bundle) {}
}
