package dev.bulwark.keys.server;

import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.WorkloadTls;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway trust domain for the keys service's tests: a root, X.509-SVIDs it signs, and the
 * mutual TLS 1.3 contexts of the service and of its client workloads, shaped as
 * docs/workload-identity.md describes them.
 */
final class TestWorkloads {
  static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  static final SpiffeId KEYS = SpiffeId.of(DOMAIN, "/bulwark/keys");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair rootKey = newKey();
  private final X509Certificate root;
  private final TrustBundle bundle;

  TestWorkloads() {
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + DOMAIN + " test root,O=Bulwark");
    root =
        sign(
            builder(name, name, rootKey, now, Duration.ofDays(1)),
            true,
            KeyUsage.keyCertSign | KeyUsage.cRLSign,
            null);
    bundle = TrustBundle.of(DOMAIN, List.of(root), 1, Duration.ofMinutes(5));
  }

  /** The service's context: presents the keys service's SVID, asks clients for theirs. */
  SSLContext serverContext() {
    return WorkloadTls.context(
        new ReloadableKeyManager(svid(KEYS)), trust(PeerAuthorizer.memberOf(DOMAIN)));
  }

  /** A workload's client context: presents {@code id}'s SVID, accepts only the keys service. */
  SSLContext clientContext(SpiffeId id) {
    return WorkloadTls.clientContext(
        new ReloadableKeyManager(svid(id)), trust(PeerAuthorizer.only(KEYS)));
  }

  /** A client context that presents no certificate but verifies the keys service. */
  SSLContext anonymousClientContext() {
    try {
      SSLContext context = SSLContext.getInstance(WorkloadTls.TLS_13);
      context.init(null, new TrustManager[] {trust(PeerAuthorizer.only(KEYS))}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key and an SVID for {@code id}, signed by the root, valid for an hour around now. */
  CertifiedKey svid(SpiffeId id) {
    KeyPair key = newKey();
    Instant now = Instant.now();
    X509Certificate leaf =
        sign(
            builder(
                new X500Name("O=Bulwark"),
                X500Name.getInstance(root.getSubjectX500Principal().getEncoded()),
                key,
                now,
                Duration.ofHours(1)),
            false,
            KeyUsage.digitalSignature,
            id.toString());
    return new CertifiedKey(key.getPrivate(), List.of(leaf));
  }

  private SpiffeTrustManager trust(PeerAuthorizer authorizer) {
    return new SpiffeTrustManager(
        () -> bundle, () -> DenyList.EMPTY, authorizer, Clock.systemUTC(), refusal -> {});
  }

  private static X509v3CertificateBuilder builder(
      X500Name subject, X500Name issuer, KeyPair key, Instant now, Duration lifetime) {
    Instant from = now.minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(from),
        Date.from(now.plus(lifetime).truncatedTo(ChronoUnit.SECONDS)),
        subject,
        key.getPublic());
  }

  private X509Certificate sign(
      X509v3CertificateBuilder builder, boolean authority, int keyUsage, String uri) {
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      if (!authority) {
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(rootKey.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate", e);
    }
  }

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
