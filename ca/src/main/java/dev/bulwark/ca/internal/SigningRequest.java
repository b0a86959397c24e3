package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.CaException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A PKCS#10 certification request (RFC 2986) whose signature has been checked with the key it
 * carries, which proves that the requester holds the private key (RFC 2986 §3, "proof of
 * possession"), and whose key is of a type the CA certifies. Only the key is kept: the subject,
 * attributes and requested extensions are the requester's wishes, and the CA decides the names.
 */
public final class SigningRequest {
  private static final int MIN_RSA_BITS = 2048;
  private static final Set<ASN1ObjectIdentifier> SIGNATURE_ALGORITHMS =
      Set.of(
          PKCSObjectIdentifiers.sha256WithRSAEncryption,
          PKCSObjectIdentifiers.sha384WithRSAEncryption,
          PKCSObjectIdentifiers.sha512WithRSAEncryption,
          X9ObjectIdentifiers.ecdsa_with_SHA256,
          X9ObjectIdentifiers.ecdsa_with_SHA384,
          X9ObjectIdentifiers.ecdsa_with_SHA512);
  private static final Set<ASN1ObjectIdentifier> CURVES =
      Set.of(SECObjectIdentifiers.secp256r1, SECObjectIdentifiers.secp384r1);

  private final PublicKey publicKey;

  private SigningRequest(PublicKey publicKey) {
    this.publicKey = publicKey;
  }

  /**
   * Parses the DER request {@code der} and checks it.
   *
   * @throws CaException {@code CSR_INVALID} if it cannot be parsed, is signed with an algorithm the
   *     CA does not accept, or its signature does not verify; {@code KEY_REFUSED} if its key is not
   *     EC P-256, EC P-384 or RSA of at least 2048 bits
   */
  public static SigningRequest parse(byte[] der) {
    requireNonNull(der, "der");
    PKCS10CertificationRequest request;
    try {
      request = new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      // Malformed ASN.1 surfaces as IOException or as one of several unchecked exceptions.
      throw new CaException(CaException.Code.CSR_INVALID, "the CSR is not a DER PKCS#10 request");
    }
    PublicKey key = checkedKey(request);
    ASN1ObjectIdentifier algorithm = request.getSignatureAlgorithm().getAlgorithm();
    if (!SIGNATURE_ALGORITHMS.contains(algorithm)) {
      throw new CaException(
          CaException.Code.CSR_INVALID,
          "the CSR is signed with algorithm "
              + algorithm.getId()
              + " (expected ECDSA or RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512)");
    }
    boolean valid;
    try {
      valid =
          request.isSignatureValid(
              new JcaContentVerifierProviderBuilder().build(request.getSubjectPublicKeyInfo()));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new CaException(
          CaException.Code.CSR_INVALID,
          "the CSR's signature does not verify with its public key (no proof of possession)");
    }
    return new SigningRequest(key);
  }

  /** The key to certify. */
  public PublicKey publicKey() {
    return publicKey;
  }

  private static PublicKey checkedKey(PKCS10CertificationRequest request) {
    SubjectPublicKeyInfo info = request.getSubjectPublicKeyInfo();
    ASN1ObjectIdentifier keyAlgorithm = info.getAlgorithm().getAlgorithm();
    PublicKey key;
    try {
      key = new JcaPKCS10CertificationRequest(request).getPublicKey();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CaException(
          CaException.Code.KEY_REFUSED, "the CSR's public key cannot be read: " + keyAlgorithm);
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(keyAlgorithm)) {
      ASN1Encodable parameters = info.getAlgorithm().getParameters();
      // Named curves only: explicit curve parameters are how invalid-curve keys get in.
      if (!(parameters instanceof ASN1ObjectIdentifier curve) || !CURVES.contains(curve)) {
        throw new CaException(
            CaException.Code.KEY_REFUSED,
            "the CSR's EC key is not on a named curve P-256 or P-384");
      }
      return key;
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(keyAlgorithm)
        && key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < MIN_RSA_BITS) {
        throw new CaException(
            CaException.Code.KEY_REFUSED,
            "the CSR's RSA key has " + bits + " bits (expected at least " + MIN_RSA_BITS + ")");
      }
      BigInteger exponent = rsa.getPublicExponent();
      if (!exponent.testBit(0) || exponent.compareTo(BigInteger.valueOf(3)) < 0) {
        throw new CaException(
            CaException.Code.KEY_REFUSED, "the CSR's RSA key has an invalid public exponent");
      }
      return key;
    }
    throw new CaException(
        CaException.Code.KEY_REFUSED,
        "the CSR's key type "
            + keyAlgorithm.getId()
            + " is not accepted (expected EC P-256, EC P-384 or RSA >= 2048 bits)");
  }
}
