package dev.bulwark.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.X509Svid;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;

/** The CA hierarchy and the X.509-SVID profile: what the CA signs, and what it refuses to. */
class SvidIssuanceTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://bulwark.test/payments");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int URI = 6;
  private static final int DNS = 2;
  private static final int IP = 7;

  private final Clock clock = Clock.systemUTC();
  private final CertificateAuthority root =
      CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(3650), clock);
  private final CertificateAuthority intermediate = root.issueIntermediate(Duration.ofDays(365));

  private List<X509Certificate> issue(byte[] csr) {
    return intermediate.issueSvid(
        csr,
        PAYMENTS,
        List.of("payments.internal"),
        List.of(InetAddress.ofLiteral("10.0.0.7")),
        Duration.ofHours(1));
  }

  private static SpiffeTrustManager verifier(TrustBundle bundle) {
    return new SpiffeTrustManager(
        () -> bundle,
        () -> DenyList.EMPTY,
        PeerAuthorizer.memberOf(DOMAIN),
        Clock.systemUTC(),
        refusal -> {});
  }

  private TrustBundle bundleOf(CertificateAuthority... roots) {
    return TrustBundle.of(
        DOMAIN,
        java.util.Arrays.stream(roots).map(CertificateAuthority::certificate).toList(),
        1,
        Duration.ofMinutes(5));
  }

  @Test
  void rootIsASelfSignedCaOfPathLengthOneNamingTheTrustDomain() throws Exception {
    X509Certificate certificate = root.certificate();

    certificate.verify(certificate.getPublicKey());
    assertThat(root.isRoot()).isTrue();
    assertThat(certificate.getBasicConstraints()).isEqualTo(1);
    assertThat(certificate.getCriticalExtensionOIDs())
        .contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(certificate.getKeyUsage()[6]).as("cRLSign").isTrue();
    assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isFalse();
    assertThat(SpiffeId.fromCertificate(certificate)).contains(DOMAIN.id());
    assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void intermediateIsSignedByTheRootWithPathLengthZero() throws Exception {
    X509Certificate certificate = intermediate.certificate();

    certificate.verify(root.certificate().getPublicKey());
    assertThat(intermediate.isRoot()).isFalse();
    assertThat(intermediate.chain()).containsExactly(certificate);
    assertThat(certificate.getBasicConstraints()).isEqualTo(0);
    assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(SpiffeId.fromCertificate(certificate)).contains(DOMAIN.id());
    assertThat(keyIdentifier(certificate, Extension.authorityKeyIdentifier))
        .isEqualTo(keyIdentifier(root.certificate(), Extension.subjectKeyIdentifier));
  }

  @Test
  void intermediateNeverOutlivesTheRoot() {
    CertificateAuthority shortRoot =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofMinutes(10), clock);

    CertificateAuthority longIntermediate = shortRoot.issueIntermediate(Duration.ofDays(365));

    assertThat(longIntermediate.notAfter()).isEqualTo(shortRoot.notAfter());
  }

  @Test
  void svidFollowsTheX509SvidProfile() throws Exception {
    Instant before = Instant.now();
    List<X509Certificate> chain = issue(TestCsrs.csr(TestCsrs.p256()));
    X509Certificate leaf = chain.get(0);

    assertThat(chain).containsExactly(leaf, intermediate.certificate());
    leaf.verify(intermediate.certificate().getPublicKey());
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(URI, PAYMENTS.toString()),
            List.of(DNS, "payments.internal"),
            List.of(IP, "10.0.0.7"));
    assertThat(leaf.getBasicConstraints()).as("CA=false").isEqualTo(-1);
    assertThat(leaf.getCriticalExtensionOIDs())
        .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(leaf.getExtensionValue(Extension.basicConstraints.getId())).isNotNull();
    boolean[] usage = leaf.getKeyUsage();
    assertThat(usage[0]).as("digitalSignature").isTrue();
    for (int bit = 1; bit < usage.length; bit++) {
      assertThat(usage[bit]).as("key usage bit " + bit).isFalse();
    }
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
    assertThat(keyIdentifier(leaf, Extension.subjectKeyIdentifier)).isNotEmpty();
    assertThat(keyIdentifier(leaf, Extension.authorityKeyIdentifier))
        .isEqualTo(keyIdentifier(intermediate.certificate(), Extension.subjectKeyIdentifier));
    assertThat(leaf.getSerialNumber().signum()).isPositive();
    assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(127);
    assertThat(leaf.getNotBefore().toInstant())
        .isBetween(before.minusSeconds(31), before.plusSeconds(1));
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofHours(1).plusSeconds(31));
  }

  @Test
  void svidPassesTheSdkVerifierAsClientAndServer() throws Exception {
    X509Certificate[] chain = issue(TestCsrs.csr(TestCsrs.p256())).toArray(X509Certificate[]::new);
    SpiffeTrustManager verifier = verifier(bundleOf(root));

    assertThat(verifier.verify(chain, SpiffeTrustManager.Role.CLIENT)).isEqualTo(PAYMENTS);
    assertThat(verifier.verify(chain, SpiffeTrustManager.Role.SERVER)).isEqualTo(PAYMENTS);
  }

  @Test
  void ignoresTheNamesAndExtensionsTheCsrAsksFor() throws Exception {
    byte[] greedy =
        TestCsrs.greedyCsr(TestCsrs.p256(), "spiffe://bulwark.test/admin", "evil.example");

    X509Certificate leaf = issue(greedy).get(0);

    assertThat(SpiffeId.fromCertificate(leaf)).contains(PAYMENTS);
    assertThat(leaf.getSubjectAlternativeNames())
        .noneMatch(name -> name.get(1).equals("evil.example"))
        .noneMatch(name -> name.get(1).equals("spiffe://bulwark.test/admin"));
    assertThat(leaf.getSubjectX500Principal().getName()).doesNotContain("evil", "Evil");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
  }

  @Test
  void refusesCsrWhoseSignatureDoesNotMatchItsKey() {
    KeyPair claimed = TestCsrs.p256();
    byte[] forged =
        TestCsrs.csr(claimed, TestCsrs.p256().getPrivate(), "SHA256withECDSA", "CN=forged");

    assertThatThrownBy(() -> issue(forged))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.CSR_INVALID))
        .hasMessageContaining("proof of possession");
  }

  @Test
  void refusesBytesThatAreNotACsr() {
    assertThatThrownBy(() -> issue(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.CSR_INVALID));
  }

  @Test
  void refusesCsrSignedWithSha1() {
    KeyPair keys = TestCsrs.rsa(2048);

    assertThatThrownBy(() -> issue(TestCsrs.csr(keys, keys.getPrivate(), "SHA1withRSA", "CN=old")))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.CSR_INVALID));
  }

  @Test
  void refusesWeakRsaKey() {
    assertThatThrownBy(() -> issue(TestCsrs.csr(TestCsrs.rsa(1024))))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.KEY_REFUSED))
        .hasMessageContaining("1024");
  }

  @Test
  void refusesKeysOnOtherCurvesAndOfOtherTypes() {
    assertThatThrownBy(() -> issue(TestCsrs.csr(TestCsrs.ec("secp521r1"))))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.KEY_REFUSED));
    KeyPair ed25519 = TestCsrs.generate("Ed25519");
    assertThatThrownBy(() -> issue(TestCsrs.csr(ed25519, ed25519.getPrivate(), "Ed25519", "CN=ed")))
        .isInstanceOfSatisfying(
            CaException.class, e -> assertThat(e.code()).isEqualTo(CaException.Code.KEY_REFUSED));
  }

  @Test
  void acceptsRsa2048AndP384Keys() {
    KeyPair rsa = TestCsrs.rsa(2048);
    KeyPair p384 = TestCsrs.ec("secp384r1");

    assertThat(issue(TestCsrs.csr(rsa)).get(0).getPublicKey()).isEqualTo(rsa.getPublic());
    assertThat(issue(TestCsrs.csr(p384, p384.getPrivate(), "SHA384withECDSA", "CN=x")).get(0))
        .satisfies(leaf -> assertThat(leaf.getPublicKey()).isEqualTo(p384.getPublic()));
  }

  @Test
  void svidNeverOutlivesTheIntermediate() {
    CertificateAuthority brief = root.issueIntermediate(Duration.ofMinutes(5));

    X509Svid svid = brief.issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofDays(1));

    assertThat(svid.notAfter()).isEqualTo(brief.notAfter());
  }

  @Test
  void inProcessSvidCarriesAFreshP256KeyAndTheChain() throws Exception {
    X509Svid svid =
        intermediate.issueSvid(
            PAYMENTS,
            List.of("localhost"),
            List.of(InetAddress.ofLiteral("::1")),
            Duration.ofHours(1));

    assertThat(svid.id()).isEqualTo(PAYMENTS);
    assertThat(svid.chain()).containsExactly(svid.leaf(), intermediate.certificate());
    assertThat(svid.key().privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(svid.leaf().getSubjectAlternativeNames())
        .contains(List.of(IP, "0:0:0:0:0:0:0:1"), List.of(DNS, "localhost"));
    verifier(bundleOf(root))
        .verify(svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.SERVER);
  }

  @Test
  void rootDoesNotIssueSvidsAndIntermediateDoesNotIssueIntermediates() {
    assertThatThrownBy(() -> root.issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofHours(1)))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.WRONG_AUTHORITY));
    assertThatThrownBy(() -> intermediate.issueIntermediate(Duration.ofDays(1)))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.WRONG_AUTHORITY));
  }

  @Test
  void endpointCaOfNoTrustDomainIssuesNoSvids() {
    CertificateAuthority legacy =
        CertificateAuthority.createRoot("Legacy", Duration.ofDays(1), clock);

    assertThat(legacy.trustDomain()).isEmpty();
    assertThatThrownBy(() -> legacy.issueIntermediate(Duration.ofDays(1)))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.WRONG_AUTHORITY));
  }

  @Test
  void refusesIdsOfAnotherTrustDomainOrWithoutPath() {
    assertThatThrownBy(
            () ->
                intermediate.issueSvid(
                    SpiffeId.parse("spiffe://elsewhere.test/payments"),
                    List.of(),
                    List.of(),
                    Duration.ofHours(1)))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.REQUEST_INVALID));
    assertThatThrownBy(
            () -> intermediate.issueSvid(DOMAIN.id(), List.of(), List.of(), Duration.ofHours(1)))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.REQUEST_INVALID));
  }

  @Test
  void refusesDnsNamesThatAreNotHostNames() {
    for (String bad : List.of("*.example.com", "a b", "-x.example", "", "x..y", "ex\u00e4mple")) {
      assertThatThrownBy(
              () -> intermediate.issueSvid(PAYMENTS, List.of(bad), List.of(), Duration.ofHours(1)))
          .as(bad)
          .isInstanceOfSatisfying(
              CaException.class,
              e -> assertThat(e.code()).isEqualTo(CaException.Code.REQUEST_INVALID));
    }
  }

  @Test
  void restoredIntermediateKeepsIssuingUnderTheSameRoot() throws Exception {
    CertificateAuthority restored =
        CertificateAuthority.restore(
            intermediate.chainPem(), intermediate.privateKeyPkcs8(), clock);

    assertThat(restored.isRoot()).isFalse();
    assertThat(restored.trustDomain()).contains(DOMAIN);
    assertThat(restored.chain()).containsExactly(intermediate.certificate());
    X509Svid svid = restored.issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofHours(1));
    verifier(bundleOf(root))
        .verify(svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.CLIENT);
  }

  @Test
  void restoredChainDropsTheRootIfIncluded() {
    CertificateAuthority restored =
        CertificateAuthority.restore(
            intermediate.chainPem() + root.certificatePem(), intermediate.privateKeyPkcs8(), clock);

    assertThat(restored.chain()).containsExactly(intermediate.certificate());
  }

  @Test
  void refusesToRestoreWithAKeyThatIsNotTheCertificates() {
    assertThatThrownBy(
            () ->
                CertificateAuthority.restore(
                    intermediate.chainPem(), root.privateKeyPkcs8(), clock))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.CA_MATERIAL_INVALID));
  }

  @Test
  void rootRotationOverlapsThenDropsTheOldRoot() throws Exception {
    CertificateAuthority newRoot =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(3650), clock);
    CertificateAuthority newIntermediate = newRoot.issueIntermediate(Duration.ofDays(365));
    X509Certificate[] underOld =
        intermediate
            .issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofHours(1))
            .chain()
            .toArray(X509Certificate[]::new);
    X509Certificate[] underNew =
        newIntermediate
            .issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofHours(1))
            .chain()
            .toArray(X509Certificate[]::new);

    SpiffeTrustManager overlap = verifier(bundleOf(root, newRoot));
    assertThat(overlap.verify(underOld, SpiffeTrustManager.Role.CLIENT)).isEqualTo(PAYMENTS);
    assertThat(overlap.verify(underNew, SpiffeTrustManager.Role.CLIENT)).isEqualTo(PAYMENTS);

    SpiffeTrustManager afterRotation = verifier(bundleOf(newRoot));
    assertThat(afterRotation.verify(underNew, SpiffeTrustManager.Role.CLIENT)).isEqualTo(PAYMENTS);
    assertThatThrownBy(() -> afterRotation.verify(underOld, SpiffeTrustManager.Role.CLIENT))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void svidFromAnotherRootOfTheSameTrustDomainIsRefused() {
    CertificateAuthority impostor =
        CertificateAuthority.createRoot(DOMAIN, Duration.ofDays(1), clock)
            .issueIntermediate(Duration.ofDays(1));
    X509Certificate[] chain =
        impostor
            .issueSvid(PAYMENTS, List.of(), List.of(), Duration.ofHours(1))
            .chain()
            .toArray(X509Certificate[]::new);

    assertThatThrownBy(() -> verifier(bundleOf(root)).verify(chain, SpiffeTrustManager.Role.CLIENT))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void printingNeverShowsThePrivateKey() {
    assertThat(intermediate.toString()).contains("privateKey=***").contains("intermediate");
  }

  private static byte[] keyIdentifier(
      X509Certificate certificate, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
    byte[] extension = certificate.getExtensionValue(oid.getId());
    assertThat(extension).as(oid.getId()).isNotNull();
    byte[] inner = ASN1OctetString.getInstance(extension).getOctets();
    if (oid.equals(Extension.subjectKeyIdentifier)) {
      return SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier();
    }
    return AuthorityKeyIdentifier.getInstance(inner).getKeyIdentifierOctets();
  }
}
