package dev.bulwark.platform;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM text for credentials handed to tools outside the JVM (curl, openssl), and back: a file may
 * hold certificates and a private key together.
 */
public final class Pem {
  private Pem() {}

  /** {@code key} as an unencrypted PKCS#8 PEM block; the caller writes it with mode 0600. */
  public static String privateKey(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    return out.toString();
  }

  /** {@code key} as a PEM {@code PUBLIC KEY} block (SubjectPublicKeyInfo), e.g. for openssl. */
  public static String publicKey(PublicKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key);
    }
    return out.toString();
  }

  /** The public key in {@code pem}, if it holds a {@code PUBLIC KEY} block. */
  public static Optional<PublicKey> publicKey(String pem) throws IOException {
    for (Object block : blocks(pem)) {
      if (block instanceof SubjectPublicKeyInfo info) {
        return Optional.of(new JcaPEMKeyConverter().getPublicKey(info));
      }
    }
    return Optional.empty();
  }

  /** Every certificate in {@code pem}, in order; other blocks are skipped. */
  public static List<X509Certificate> certificates(String pem) throws IOException {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object block : blocks(pem)) {
      if (block instanceof X509CertificateHolder holder) {
        try {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        } catch (CertificateException e) {
          throw new IOException("a certificate in the PEM cannot be read", e);
        }
      }
    }
    return certificates;
  }

  /** The PKCS#8 private key in {@code pem}, if it holds one. */
  public static Optional<PrivateKey> privateKey(String pem) throws IOException {
    for (Object block : blocks(pem)) {
      if (block instanceof PrivateKeyInfo info) {
        return Optional.of(new JcaPEMKeyConverter().getPrivateKey(info));
      }
    }
    return Optional.empty();
  }

  private static List<Object> blocks(String pem) throws IOException {
    List<Object> blocks = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        blocks.add(block);
      }
    }
    return blocks;
  }
}
