package dev.bulwark.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys and PKCS#10 requests as workloads make them, and as attackers might. */
public final class TestCsrs {
  private TestCsrs() {}

  public static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair p256() {
    return ec("secp256r1");
  }

  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain request for {@code keys}, signed by them. */
  public static byte[] csr(KeyPair keys) {
    return csr(keys, keys.getPrivate(), defaultAlgorithm(keys), "CN=workload");
  }

  /**
   * A request for {@code keys}' public key signed by {@code signer} with {@code algorithm}: when
   * {@code signer} is not {@code keys}' own, there is no proof of possession.
   */
  public static byte[] csr(KeyPair keys, PrivateKey signer, String algorithm, String subject) {
    try {
      PKCS10CertificationRequestBuilder builder =
          new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic());
      return builder.build(new JcaContentSignerBuilder(algorithm).build(signer)).getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A request that asks for everything it should not get: another SPIFFE ID and DNS name in its SAN
   * extension request, and CA powers.
   */
  public static byte[] greedyCsr(KeyPair keys, String spiffeId, String dnsName) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId),
                new GeneralName(GeneralName.dNSName, dnsName)
              }));
      extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      PKCS10CertificationRequestBuilder builder =
          new JcaPKCS10CertificationRequestBuilder(
                  new X500Name("CN=" + dnsName + ",O=Evil"), keys.getPublic())
              .addAttribute(
                  PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      return builder
          .build(new JcaContentSignerBuilder(defaultAlgorithm(keys)).build(keys.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String defaultAlgorithm(KeyPair keys) {
    return switch (keys.getPublic().getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> keys.getPublic().getAlgorithm();
    };
  }
}
