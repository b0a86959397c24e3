package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.internal.DnsNames;
import dev.bulwark.ca.internal.SigningRequest;
import dev.bulwark.sdk.tls.CertifiedKey;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.X509Svid;
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
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
 * A certificate authority with an ECDSA P-256 key: either a trust domain's <em>root</em>, which
 * signs intermediates (and whose key can stay offline), or an <em>intermediate</em>, which signs
 * X.509-SVIDs (docs/workload-identity.md, "The CA hierarchy"). Its private key leaves this class
 * only as PKCS#8 bytes for the caller to seal; it never appears in {@link #toString()}.
 *
 * <p>A CA created by {@link #createRoot(String, Duration, Clock)} belongs to no trust domain: it
 * issues the plain TLS endpoint certificates the platform used before SPIFFE identities, and no
 * SVIDs.
 */
public final class CertificateAuthority {
  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();
  // Backdating absorbs clock skew between the CA and relying parties; kept small so that a
  // certificate is not valid noticeably before it was asked for.
  private static final Duration BACKDATE = Duration.ofSeconds(30);
  private static final Duration LEGACY_BACKDATE = Duration.ofSeconds(60);

  private final X509Certificate certificate;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final Optional<TrustDomain> trustDomain;
  private final boolean root;
  private final Clock clock;

  private CertificateAuthority(
      X509Certificate certificate,
      List<X509Certificate> chain,
      PrivateKey privateKey,
      Optional<TrustDomain> trustDomain,
      boolean root,
      Clock clock) {
    this.certificate = certificate;
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
    this.trustDomain = trustDomain;
    this.root = root;
    this.clock = clock;
  }

  /**
   * A new self-signed root of {@code trustDomain}, valid for {@code lifetime} from now: a CA
   * certificate (path length 1: it signs intermediates, which sign SVIDs) naming the trust domain's
   * own SPIFFE ID, as X.509-SVID §3.2 asks of signing certificates.
   */
  public static CertificateAuthority createRoot(
      TrustDomain trustDomain, Duration lifetime, Clock clock) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(clock, "clock");
    requirePositive(lifetime);
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X500Name name = authorityName(trustDomain, "root");
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(lifetime)),
              name,
              keys.getPublic());
      addSigningExtensions(builder, trustDomain, 1, keys.getPublic(), Optional.empty());
      X509Certificate certificate = sign(builder, keys.getPrivate());
      return new CertificateAuthority(
          certificate,
          List.of(certificate),
          keys.getPrivate(),
          Optional.of(trustDomain),
          true,
          clock);
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED,
          "cannot create the root of " + trustDomain + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A new self-signed root for plain TLS endpoint certificates, belonging to no trust domain.
   *
   * @see #issueEndpointCertificate(String, List, List, Duration)
   */
  public static CertificateAuthority createRoot(String commonName, Duration lifetime, Clock clock) {
    requireNonNull(commonName, "commonName");
    requireNonNull(clock, "clock");
    requirePositive(lifetime);
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X500Name name = new X500Name("CN=" + commonName + ",O=Bulwark");
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minus(LEGACY_BACKDATE)),
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
      X509Certificate certificate = sign(builder, keys.getPrivate());
      return new CertificateAuthority(
          certificate, List.of(certificate), keys.getPrivate(), Optional.empty(), true, clock);
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED,
          "cannot create the root certificate: " + e.getMessage(),
          e);
    }
  }

  /**
   * A CA restored from its PEM certificate (optionally followed by the certificates above it) and
   * its PKCS#8 private key, as {@link #chainPem()} and {@link #privateKeyPkcs8()} gave them out.
   *
   * @throws CaException {@code CA_MATERIAL_INVALID} if the PEM holds no CA certificate, the chain
   *     does not link up, or the key does not belong to the certificate
   */
  public static CertificateAuthority restore(
      String certificatePem, byte[] pkcs8PrivateKey, Clock clock) {
    requireNonNull(certificatePem, "certificatePem");
    requireNonNull(pkcs8PrivateKey, "pkcs8PrivateKey");
    requireNonNull(clock, "clock");
    List<X509Certificate> certificates = readCertificates(certificatePem);
    X509Certificate certificate = certificates.get(0);
    if (certificate.getBasicConstraints() < 0) {
      throw invalidMaterial("the first certificate of the PEM is not a CA certificate", null);
    }
    try {
      for (int i = 0; i + 1 < certificates.size(); i++) {
        certificates.get(i).verify(certificates.get(i + 1).getPublicKey());
      }
      PrivateKey key =
          KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8PrivateKey));
      if (!keyMatches(key, certificate.getPublicKey())) {
        throw invalidMaterial("the private key does not belong to the CA certificate", null);
      }
      Optional<TrustDomain> trustDomain = trustDomainOf(certificate);
      boolean root = selfSigned(certificate);
      // Leaves are sent with the CA certificates above them, but never with the root, which
      // relying parties already hold in their bundle.
      List<X509Certificate> chain = new ArrayList<>(List.of(certificate));
      certificates.stream().skip(1).filter(c -> !selfSigned(c)).forEach(chain::add);
      return new CertificateAuthority(certificate, chain, key, trustDomain, root, clock);
    } catch (GeneralSecurityException e) {
      throw invalidMaterial("cannot read the stored CA: " + e.getMessage(), e);
    }
  }

  /**
   * A new intermediate signed by this root, valid for {@code lifetime} but never beyond the root: a
   * CA certificate of path length 0 (it signs only leaves) naming the trust domain's SPIFFE ID.
   *
   * @throws CaException {@code WRONG_AUTHORITY} if this CA is not the root of a trust domain
   */
  public CertificateAuthority issueIntermediate(Duration lifetime) {
    requirePositive(lifetime);
    TrustDomain domain = requireTrustDomain();
    if (!root) {
      throw new CaException(
          CaException.Code.WRONG_AUTHORITY, "only a root issues intermediates; this is " + this);
    }
    KeyPair keys = newKeyPair();
    Validity validity = validity(lifetime);
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(validity.notBefore()),
              Date.from(validity.notAfter()),
              authorityName(domain, "intermediate"),
              keys.getPublic());
      addSigningExtensions(builder, domain, 0, keys.getPublic(), Optional.of(certificate));
      X509Certificate intermediate = sign(builder, privateKey);
      return new CertificateAuthority(
          intermediate,
          List.of(intermediate),
          keys.getPrivate(),
          Optional.of(domain),
          false,
          clock);
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED,
          "cannot issue an intermediate of " + domain + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * An X.509-SVID for the key of the PKCS#10 request {@code csrDer}, naming {@code id} and the
   * given DNS names and addresses, valid for {@code lifetime} but never beyond this CA. The
   * request's signature is checked first (proof of possession); anything else it asks for is
   * ignored.
   *
   * @return the chain, leaf first, then this CA's certificate
   * @throws CaException {@code CSR_INVALID} or {@code KEY_REFUSED} for an unacceptable request,
   *     {@code REQUEST_INVALID} for a name this CA may not issue, {@code WRONG_AUTHORITY} if this
   *     is a root or belongs to no trust domain
   */
  public List<X509Certificate> issueSvid(
      byte[] csrDer,
      SpiffeId id,
      List<String> dnsNames,
      List<InetAddress> addresses,
      Duration lifetime) {
    requireNonNull(csrDer, "csrDer");
    requireIssuer(id);
    List<String> dns = DnsNames.checked(dnsNames);
    List<InetAddress> ips = List.copyOf(addresses);
    requirePositive(lifetime);
    PublicKey key = SigningRequest.parse(csrDer).publicKey();
    List<X509Certificate> issued = new ArrayList<>();
    issued.add(leaf(key, id, dns, ips, lifetime));
    issued.addAll(chain);
    return List.copyOf(issued);
  }

  /**
   * An X.509-SVID for a new EC P-256 key generated here, for workloads that live in this process
   * (the CA's own listener, an operator's identity).
   *
   * @throws CaException as {@link #issueSvid(byte[], SpiffeId, List, List, Duration)} does
   */
  public X509Svid issueSvid(
      SpiffeId id, List<String> dnsNames, List<InetAddress> addresses, Duration lifetime) {
    requireIssuer(id);
    List<String> dns = DnsNames.checked(dnsNames);
    List<InetAddress> ips = List.copyOf(addresses);
    requirePositive(lifetime);
    KeyPair keys = newKeyPair();
    List<X509Certificate> issued = new ArrayList<>();
    issued.add(leaf(keys.getPublic(), id, dns, ips, lifetime));
    issued.addAll(chain);
    return new X509Svid(id, new CertifiedKey(keys.getPrivate(), issued));
  }

  /**
   * A certificate for a TLS endpoint, valid for {@code lifetime}, naming {@code dnsNames} and
   * {@code addresses} as subject alternative names; usable for server and client authentication.
   * This predates SPIFFE identities: the certificate names no SPIFFE ID.
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
    addresses.forEach(a -> names.add(ipAddress(a)));
    X509Certificate leaf =
        endEntity(
            keys.getPublic(),
            new X500Name("CN=" + commonName + ",O=Bulwark"),
            names,
            new Validity(now.minus(LEGACY_BACKDATE), notAfter),
            commonName);
    return new CertifiedKey(keys.getPrivate(), List.of(leaf, certificate));
  }

  /** This CA's own certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * The certificates sent along with each leaf this CA issues: its own, then any intermediates
   * above it, never a self-signed root other than itself. For an intermediate under a root, {@code
   * [intermediate]}.
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The trust domain, or empty for a CA of plain endpoint certificates. */
  public Optional<TrustDomain> trustDomain() {
    return trustDomain;
  }

  /** Whether this CA is self-signed, a root. */
  public boolean isRoot() {
    return root;
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** The CA certificate in PEM, as clients need it to trust Bulwark's endpoints. */
  public String certificatePem() {
    return toPem(certificate);
  }

  /** {@link #chain()} in PEM, for {@link #restore(String, byte[], Clock)}. */
  public String chainPem() {
    StringBuilder pem = new StringBuilder();
    chain.forEach(c -> pem.append(toPem(c)));
    return pem.toString();
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
    return "CertificateAuthority{"
        + (root ? "root" : "intermediate")
        + ", trustDomain="
        + trustDomain.map(TrustDomain::name).orElse("none")
        + ", subject="
        + certificate.getSubjectX500Principal().getName()
        + ", notAfter="
        + notAfter()
        + ", privateKey=***}";
  }

  // The X.509-SVID profile (X.509-SVID §3.1, §4; docs/workload-identity.md "SVIDs").
  private X509Certificate leaf(
      PublicKey key,
      SpiffeId id,
      List<String> dnsNames,
      List<InetAddress> addresses,
      Duration lifetime) {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    addresses.forEach(a -> names.add(ipAddress(a)));
    // A subject is present (so the SAN need not be critical, RFC 5280 §4.2.1.6) but says nothing:
    // a workload is known by its SPIFFE ID alone.
    return endEntity(
        key,
        new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Bulwark").build(),
        names,
        validity(lifetime),
        "an SVID for " + id);
  }

  // A certificate that signs nothing: not a CA, digitalSignature only, for TLS servers and clients.
  private X509Certificate endEntity(
      PublicKey key, X500Name subject, List<GeneralName> names, Validity validity, String what) {
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(validity.notBefore()),
                  Date.from(validity.notAfter()),
                  subject,
                  key)
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
                  Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(certificate));
      return sign(builder, privateKey);
    } catch (GeneralSecurityException | IOException e) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED, "cannot issue " + what + ": " + e.getMessage(), e);
    }
  }

  private static void addSigningExtensions(
      X509v3CertificateBuilder builder,
      TrustDomain trustDomain,
      int pathLength,
      PublicKey key,
      Optional<X509Certificate> issuer)
      throws GeneralSecurityException, IOException {
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength))
        .addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        // X.509-SVID §3.2: a signing certificate's SPIFFE ID has no path.
        .addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName(
                    GeneralName.uniformResourceIdentifier, trustDomain.id().toString())))
        .addExtension(
            Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key));
    if (issuer.isPresent()) {
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(issuer.get()));
    }
  }

  // Distinct names per CA certificate, so that during a root rotation the old and the new root
  // (and their intermediates) are never confused by name when paths are built.
  private static X500Name authorityName(TrustDomain trustDomain, String role) {
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Bulwark")
        .addRDN(BCStyle.OU, trustDomain.name())
        .addRDN(BCStyle.CN, "Bulwark " + role + " " + HexFormat.of().formatHex(id))
        .build();
  }

  private Validity validity(Duration lifetime) {
    Instant now = clock.instant();
    Instant issuerNotBefore = certificate.getNotBefore().toInstant();
    Instant issuerNotAfter = certificate.getNotAfter().toInstant();
    if (!issuerNotAfter.isAfter(now)) {
      throw new CaException(
          CaException.Code.ISSUANCE_FAILED, "this CA expired at " + issuerNotAfter + ": " + this);
    }
    Instant notBefore = now.minus(BACKDATE);
    if (notBefore.isBefore(issuerNotBefore)) {
      notBefore = issuerNotBefore;
    }
    Instant notAfter = now.plus(lifetime);
    if (notAfter.isAfter(issuerNotAfter)) {
      notAfter = issuerNotAfter;
    }
    return new Validity(notBefore, notAfter);
  }

  private void requireIssuer(SpiffeId id) {
    requireNonNull(id, "id");
    TrustDomain domain = requireTrustDomain();
    if (root) {
      // The root only signs intermediates, so its key can stay offline (docs/workload-identity.md).
      throw new CaException(
          CaException.Code.WRONG_AUTHORITY, "a root does not issue SVIDs; use an intermediate");
    }
    if (!id.memberOf(domain)) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID, id + " is not of this CA's trust domain " + domain);
    }
    if (id.path().isEmpty()) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID,
          id + " names the trust domain itself; an SVID's SPIFFE ID has a path (X.509-SVID §3.1)");
    }
  }

  private TrustDomain requireTrustDomain() {
    return trustDomain.orElseThrow(
        () ->
            new CaException(
                CaException.Code.WRONG_AUTHORITY,
                "this CA belongs to no trust domain and issues only endpoint certificates"));
  }

  private static void requirePositive(Duration lifetime) {
    requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new CaException(
          CaException.Code.REQUEST_INVALID, "lifetime " + lifetime + " (expected > 0)");
    }
  }

  private static GeneralName ipAddress(InetAddress address) {
    // The raw octets: the text form of an IPv6 address may carry a scope that is no part of it.
    return new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress()));
  }

  private static List<X509Certificate> readCertificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (Object parsed = parser.readObject(); parsed != null; parsed = parser.readObject()) {
        if (!(parsed instanceof X509CertificateHolder holder)) {
          throw invalidMaterial("the CA certificate PEM holds something other than certificates");
        }
        certificates.add(converter.getCertificate(holder));
      }
    } catch (IOException | GeneralSecurityException e) {
      throw invalidMaterial("cannot read the stored CA certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw invalidMaterial("the CA certificate PEM holds no certificate");
    }
    return certificates;
  }

  private static Optional<TrustDomain> trustDomainOf(X509Certificate certificate) {
    Optional<SpiffeId> id;
    try {
      id = SpiffeId.fromCertificate(certificate);
    } catch (IllegalArgumentException e) {
      throw invalidMaterial("the CA certificate's SPIFFE ID is not valid: " + e.getMessage(), e);
    }
    if (id.isPresent() && !id.get().path().isEmpty()) {
      throw invalidMaterial(
          "the CA certificate names " + id.get() + ", which has a path (X.509-SVID §3.2)");
    }
    return id.map(SpiffeId::trustDomain);
  }

  private static boolean selfSigned(X509Certificate certificate) {
    if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
      return false;
    }
    try {
      certificate.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean keyMatches(PrivateKey key, PublicKey publicKey)
      throws GeneralSecurityException {
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
    verifier.initVerify(publicKey);
    verifier.update(challenge);
    return verifier.verify(signature);
  }

  private static CaException invalidMaterial(String message) {
    return invalidMaterial(message, null);
  }

  private static CaException invalidMaterial(String message, Throwable cause) {
    return new CaException(CaException.Code.CA_MATERIAL_INVALID, message, cause);
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
    // 127 random bits, positive: unpredictable serials as CA/B Forum guidance asks (and at most
    // 16 octets, well inside RFC 5280 §4.1.2.2's 20).
    BigInteger serial;
    do {
      serial = new BigInteger(127, RANDOM);
    } while (serial.signum() == 0);
    return serial;
  }

  private record Validity(Instant notBefore, Instant notAfter) {}
}
