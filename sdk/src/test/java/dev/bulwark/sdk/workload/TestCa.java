package dev.bulwark.sdk.workload;

import dev.bulwark.sdk.tls.CertifiedKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA for tests: a root, an intermediate signed by it, and leaf SVIDs signed by the
 * intermediate, shaped as docs/workload-identity.md describes them unless a test asks otherwise.
 */
final class TestCa {
  static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TrustDomain domain;
  private final KeyPair rootKey;
  private final X509Certificate root;
  private final KeyPair intermediateKey;
  private final X509Certificate intermediate;

  private TestCa(TrustDomain domain, Instant now) {
    this.domain = domain;
    Instant from = now.minus(Duration.ofDays(1));
    this.rootKey = newKey();
    this.root =
        sign(
            new Cert(rootKey.getPublic(), new X500Name("CN=" + domain + " test root,O=Bulwark"))
                .authority()
                .validity(from, now.plus(Duration.ofDays(3650))),
            new X500Name("CN=" + domain + " test root,O=Bulwark"),
            rootKey.getPrivate());
    this.intermediateKey = newKey();
    this.intermediate =
        sign(
            new Cert(
                    intermediateKey.getPublic(),
                    new X500Name("CN=" + domain + " test intermediate,O=Bulwark"))
                .authority()
                .uri(domain.id().toString())
                .validity(from, now.plus(Duration.ofDays(365))),
            name(root),
            rootKey.getPrivate());
  }

  /** A CA of {@link #DOMAIN} valid around now. */
  static TestCa create() {
    return create(DOMAIN, Instant.now());
  }

  /** A CA of {@code domain} valid around {@code now}. */
  static TestCa create(TrustDomain domain, Instant now) {
    return new TestCa(domain, now);
  }

  static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  TrustDomain domain() {
    return domain;
  }

  X509Certificate root() {
    return root;
  }

  X509Certificate intermediate() {
    return intermediate;
  }

  /** The bundle of this CA's root, sequence 1. */
  TrustBundle bundle() {
    return bundle(1);
  }

  TrustBundle bundle(long sequence) {
    return TrustBundle.of(domain, List.of(root), sequence, Duration.ofMinutes(5));
  }

  /** A leaf for {@code id}, valid from an hour ago for two hours, unless told otherwise. */
  Leaf leaf(SpiffeId id) {
    return new Leaf(id);
  }

  /** A valid SVID for {@code path} of this CA's trust domain. */
  X509Svid svid(String path) {
    return leaf(SpiffeId.of(domain, path)).svid();
  }

  private X509Certificate sign(Cert cert, X500Name issuer, PrivateKey signer) {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(64, RANDOM).add(BigInteger.ONE),
              Date.from(cert.notBefore),
              Date.from(cert.notAfter),
              cert.subject,
              cert.publicKey);
      if (cert.ca) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      } else {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      }
      if (cert.keyUsage != 0) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(cert.keyUsage));
      }
      if (!cert.purposes.isEmpty()) {
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(cert.purposes.toArray(KeyPurposeId[]::new)));
      }
      if (!cert.uris.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                cert.uris.stream()
                    .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))
                    .toArray(GeneralName[]::new)));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate", e);
    }
  }

  private static X500Name name(X509Certificate certificate) {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  private static final class Cert {
    final PublicKey publicKey;
    final X500Name subject;
    Instant notBefore;
    Instant notAfter;
    boolean ca;
    int keyUsage = KeyUsage.digitalSignature;
    List<KeyPurposeId> purposes =
        new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth));
    List<String> uris = new ArrayList<>();

    Cert(PublicKey publicKey, X500Name subject) {
      this.publicKey = publicKey;
      this.subject = subject;
    }

    Cert authority() {
      ca = true;
      keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
      purposes = new ArrayList<>();
      return this;
    }

    Cert uri(String uri) {
      uris.add(uri);
      return this;
    }

    Cert validity(Instant from, Instant until) {
      // X.509 dates have whole seconds.
      notBefore = from.truncatedTo(ChronoUnit.SECONDS);
      notAfter = until.truncatedTo(ChronoUnit.SECONDS);
      return this;
    }
  }

  /** A leaf certificate being described; {@link #issue()} signs it with the intermediate. */
  final class Leaf {
    private KeyPair key;
    private PublicKey publicKey;
    private final Cert cert;

    private Leaf(SpiffeId id) {
      this.key = newKey();
      this.publicKey = key.getPublic();
      this.cert = new Cert(publicKey, new X500Name("O=Bulwark"));
      cert.uri(id.toString());
      Instant now = Instant.now();
      cert.validity(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)));
    }

    /** Certifies {@code publicKey}, whose private key the test holds (or not). */
    Leaf publicKey(PublicKey publicKey) {
      this.publicKey = publicKey;
      this.key = null;
      return this;
    }

    Leaf validity(Instant from, Instant until) {
      cert.validity(from, until);
      return this;
    }

    /** Valid for {@code lifetime} from {@code from}. */
    Leaf validity(Instant from, Duration lifetime) {
      return validity(from, from.plus(lifetime));
    }

    Leaf ca() {
      cert.ca = true;
      return this;
    }

    Leaf keyUsage(int usage) {
      cert.keyUsage = usage;
      return this;
    }

    Leaf purposes(KeyPurposeId... purposes) {
      cert.purposes = new ArrayList<>(List.of(purposes));
      return this;
    }

    /** Replaces the SPIFFE ID with these URI SANs (none, several, not SPIFFE). */
    Leaf uris(String... uris) {
      cert.uris = new ArrayList<>(List.of(uris));
      return this;
    }

    X509Certificate issue() {
      Cert described = new Cert(publicKey, cert.subject);
      described.notBefore = cert.notBefore;
      described.notAfter = cert.notAfter;
      described.ca = cert.ca;
      described.keyUsage = cert.keyUsage;
      described.purposes = cert.purposes;
      described.uris = cert.uris;
      return sign(described, name(intermediate), intermediateKey.getPrivate());
    }

    /** The chain a workload presents: leaf, intermediate. */
    List<X509Certificate> chain() {
      return List.of(issue(), intermediate);
    }

    /** The leaf as an SVID, with its private key. */
    X509Svid svid() {
      if (key == null) {
        throw new IllegalStateException("the test does not hold this leaf's private key");
      }
      List<X509Certificate> chain = chain();
      return new X509Svid(
          SpiffeId.fromCertificate(chain.get(0)).orElseThrow(),
          new CertifiedKey(key.getPrivate(), chain));
    }
  }
}
