package dev.bulwark.audit.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA for loopback TLS tests: a root, and leaves for {@code localhost} servers and
 * SPIFFE-named clients, packed into JSSE contexts.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] PASSWORD = "test".toCharArray();

  private final KeyPair rootKey;
  private final X509Certificate root;

  private TestPki() {
    rootKey = newKey();
    X500Name name = new X500Name("CN=audit test root");
    root = sign(name, rootKey.getPublic(), name, rootKey.getPrivate(), true, null);
  }

  public static TestPki create() {
    return new TestPki();
  }

  public X509Certificate root() {
    return root;
  }

  /** A server context for {@code localhost} / 127.0.0.1 trusting this CA's clients. */
  public SSLContext server() {
    KeyPair key = newKey();
    X509Certificate leaf =
        sign(
            new X500Name("CN=localhost"),
            key.getPublic(),
            new X500Name("CN=audit test root"),
            rootKey.getPrivate(),
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.dNSName, "localhost"),
                  new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
    return context(key.getPrivate(), leaf);
  }

  /** A client context presenting an SVID for {@code spiffeId}, trusting this CA's servers. */
  public SSLContext client(String spiffeId) {
    KeyPair key = newKey();
    X509Certificate leaf =
        sign(
            new X500Name("CN=workload"),
            key.getPublic(),
            new X500Name("CN=audit test root"),
            rootKey.getPrivate(),
            false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
    return context(key.getPrivate(), leaf);
  }

  /** A client context with no certificate of its own, trusting this CA's servers. */
  public SSLContext trustOnly() {
    return context(null, null);
  }

  private SSLContext context(PrivateKey key, X509Certificate leaf) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      if (key != null) {
        keys.setKeyEntry("leaf", key, PASSWORD, new Certificate[] {leaf, root});
      }
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
      keyManagers.init(keys, PASSWORD);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("root", root);
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a test TLS context", e);
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

  private static X509Certificate sign(
      X500Name subject,
      java.security.PublicKey publicKey,
      X500Name issuer,
      PrivateKey signer,
      boolean ca,
      GeneralNames names) {
    try {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(64, RANDOM).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              publicKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (names != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, names);
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate", e);
    }
  }
}
