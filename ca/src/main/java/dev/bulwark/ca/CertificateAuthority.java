package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.tls.CertifiedKey;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority with an ECDSA P-256 key, issuing short-lived TLS certificates for
 * Bulwark's listeners. Its private key leaves this class only as PKCS#8 bytes for the caller to
 * seal; it never appears in {@link #toString()}.
 */
public final class CertificateAuthority {
  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final Clock clock;

  private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Clock clock) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.clock = clock;
  }

  /** A new self-signed root, valid for {@code lifetime} from now. */
  public static CertificateAuthority createRoot(String commonName, Duration lifetime, Clock clock) {
    requireNonNull(commonName, "commonName");
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X500Name name = new X500Name("CN=" + commonName + ",O=Bulwark");
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(lifetime)),
                  name,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(sign(builder, keys.getPrivate()), keys.getPrivate(), clock);
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED,
          "cannot create the root certificate: " + e.getMessage(),
          e);
    }
  }

  /** A CA restored from its PEM certificate and PKCS#8 private key. */
  public static CertificateAuthority restore(
      String certificatePem, byte[] pkcs8PrivateKey, Clock clock) {
    try (PEMParser parser = new PEMParser(new StringReader(certificatePem))) {
      Object parsed = parser.readObject();
      if (!(parsed instanceof X509CertificateHolder holder)) {
        throw new CaException(
            CaException.Code.CA_MATERIAL_INVALID,
            "the CA certificate PEM holds no certificate",
            null);
      }
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
      PrivateKey key =
          KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8PrivateKey));
      return new CertificateAuthority(certificate, key, clock);
    } catch (IOException | GeneralSecurityException e) {
      throw new CaException(
          CaException.Code.CA_MATERIAL_INVALID, "cannot read the stored CA: " + e.getMessage(), e);
    }
  }

  /**
   * A certificate for a TLS endpoint, valid for {@code lifetime}, naming {@code dnsNames} and
   * {@code addresses} as subject alternative names; usable for server and client authentication.
   */
  public CertifiedKey issueEndpointCertificate(
      String commonName, List<String> dnsNames, List<InetAddress> addresses, Duration lifetime) {
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    Instant notAfter = now.plus(lifetime);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      notAfter = certificate.getNotAfter().toInstant();
    }
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    addresses.forEach(a -> names.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(notAfter),
                  new X500Name("CN=" + commonName + ",O=Bulwark"),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(names.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(certificate));
      return new CertifiedKey(keys.getPrivate(), List.of(sign(builder, privateKey), certificate));
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED,
          "cannot issue a certificate for " + commonName + ": " + e.getMessage(),
          e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA certificate in PEM, as clients need it to trust Bulwark's endpoints. */
  public String certificatePem() {
    return toPem(certificate);
  }

  /** The private key as PKCS#8 bytes, for the caller to seal before storing. */
  public byte[] privateKeyPkcs8() {
    return privateKey.getEncoded();
  }

  /** A certificate in PEM. */
  public static String toPem(X509Certificate certificate) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a certificate as PEM", e);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "CertificateAuthority{subject="
        + certificate.getSubjectX500Principal().getName()
        + ", privateKey=***}";
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("no " + SIGNATURE_ALGORITHM + " signer", e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available in this JDK", e);
    }
  }

  private static BigInteger serial() {
    // 127 random bits, positive: unpredictable serials as CA/B Forum guidance asks.
    return new BigInteger(127, RANDOM);
  }
}
