package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.PeerAuthorizer;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import dev.bulwark.sdk.workload.TrustBundle;
import dev.bulwark.sdk.workload.TrustDomain;
import dev.bulwark.sdk.workload.X509Svid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaHierarchyTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("example.test");
  private static final Duration SVID_TTL = Duration.ofHours(1);

  @TempDir Path work;
  private Path ca;
  private SecretSealer sealer;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @BeforeEach
  void setUp() {
    ca = work.resolve("data/ca");
    sealer = MasterKey.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").sealer();
  }

  @Test
  void initCreatesARootAndAnIntermediateThatSignsSvidsTheBundleVerifies() throws Exception {
    CaHierarchy hierarchy = CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);
    TrustBundle bundle = hierarchy.bundle(SVID_TTL);

    assertThat(bundle.authorities()).hasSize(1);
    assertThat(bundle.trustDomain()).isEqualTo(DOMAIN);
    X509Svid svid = issue(hierarchy.activeIntermediate(), "/payments");
    assertThat(verify(bundle, svid)).isEqualTo(svid.id());
    hierarchy.writeBundlePem(bundle);
    assertThat(Files.readString(hierarchy.bundlePem())).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void aSecondInitIsRefusedSoAnExistingCaIsNeverOverwritten() {
    CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);

    assertThatThrownBy(() -> CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock))
        .isInstanceOf(PlatformException.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void anOfflineRootKeyStaysOutOfTheDataDirectoryAndIsNeededToRotate() throws Exception {
    Path offline = work.resolve("usb/root-key.sealed");
    CaHierarchy hierarchy = CaHierarchy.init(ca, sealer, DOMAIN, Optional.of(offline), clock);

    try (Stream<Path> files = Files.list(ca)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.startsWith("root-") && name.endsWith("key.sealed"));
    }
    assertThat(offline).exists();
    assertThatThrownBy(() -> hierarchy.rotateIntermediate(Optional.empty()))
        .isInstanceOf(PlatformException.class)
        .hasMessageContaining("root key is not in the data directory");
    CaHierarchy rotated = hierarchy.rotateIntermediate(Optional.of(offline));
    assertThat(rotated.activeIntermediate().certificate())
        .isNotEqualTo(hierarchy.activeIntermediate().certificate());
  }

  @Test
  void noPrivateKeyIsStoredInTheClear() throws Exception {
    CaHierarchy hierarchy = CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);
    byte[] intermediateKey = hierarchy.activeIntermediate().privateKeyPkcs8();
    // The private scalar: the last 32 bytes of the PKCS#8 encoding of a P-256 key.
    String needle =
        HexFormat.of()
            .formatHex(intermediateKey, intermediateKey.length - 32, intermediateKey.length);

    try (Stream<Path> files = Files.walk(ca)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String hex = HexFormat.of().formatHex(Files.readAllBytes(file));
        assertThat(hex).as(file.toString()).doesNotContain(needle);
        assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1))
            .doesNotContain("PRIVATE KEY");
      }
    }
  }

  @Test
  void aRootRotationOverlapsSoEveryWorkloadStaysVerifiable() throws Exception {
    CaHierarchy hierarchy = CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);
    TrustBundle before = hierarchy.bundle(SVID_TTL);
    X509Certificate oldIntermediate = hierarchy.activeIntermediate().certificate();

    CaHierarchy rotated = hierarchy.rotateRoot(Duration.ofHours(2), Optional.empty());

    // The new root is trusted at once, but nothing is signed under it until the overlap ends.
    TrustBundle overlap = rotated.bundle(SVID_TTL);
    assertThat(overlap.authorities()).hasSize(2);
    assertThat(overlap.sequence()).isGreaterThan(before.sequence());
    clock.advance(Duration.ofHours(2).minusMinutes(1));
    assertThat(rotated.activeIntermediate().certificate()).isEqualTo(oldIntermediate);
    X509Svid underOldRoot = issue(rotated.activeIntermediate(), "/payments");

    clock.advance(Duration.ofMinutes(1));
    CertificateAuthority next = CaHierarchy.load(ca, sealer, clock).activeIntermediate();
    assertThat(next.certificate()).isNotEqualTo(oldIntermediate);
    X509Svid underNewRoot = issue(next, "/payments");
    TrustBundle during = rotated.bundle(SVID_TTL);
    assertThat(during.authorities()).hasSize(2);
    assertThat(verify(during, underOldRoot)).isEqualTo(underOldRoot.id());
    assertThat(verify(during, underNewRoot)).isEqualTo(underNewRoot.id());
    assertThatThrownBy(() -> verify(before, underNewRoot)).isInstanceOf(CertificateException.class);

    // One SVID lifetime after the switch no SVID of the old root can be alive: it leaves.
    clock.advance(SVID_TTL.plusSeconds(1));
    TrustBundle after = CaHierarchy.load(ca, sealer, clock).bundle(SVID_TTL);
    assertThat(after.authorities()).hasSize(1).doesNotContainAnyElementsOf(before.authorities());
    assertThat(after.sequence()).isGreaterThan(during.sequence());
    assertThat(verify(after, issue(next, "/profiles")).path()).isEqualTo("/profiles");
  }

  @Test
  void inspectionReadsCertificatesWithoutTheMasterKeyButCannotOpenKeys() {
    CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);

    CaHierarchy inspected = CaHierarchy.inspect(ca, clock);

    assertThat(inspected.describe(SVID_TTL))
        .first()
        .asString()
        .contains("trust domain example.test");
    assertThat(inspected.describe(SVID_TTL)).anyMatch(l -> l.startsWith("root"));
    assertThatThrownBy(inspected::activeIntermediate).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aKeySealedForOneFileDoesNotOpenAsAnother() throws Exception {
    CaHierarchy hierarchy = CaHierarchy.init(ca, sealer, DOMAIN, Optional.empty(), clock);
    CaHierarchy second = hierarchy.rotateIntermediate(Optional.empty());
    List<Path> sealed;
    try (Stream<Path> files = Files.list(ca)) {
      sealed =
          files
              .filter(p -> p.getFileName().toString().startsWith("intermediate-"))
              .filter(p -> p.toString().endsWith("-key.sealed"))
              .sorted()
              .toList();
    }
    assertThat(sealed).hasSize(2);
    byte[] first = Files.readAllBytes(sealed.get(0));
    Files.write(sealed.get(0), Files.readAllBytes(sealed.get(1)));
    Files.write(sealed.get(1), first);

    assertThatThrownBy(second::activeIntermediate).isInstanceOf(PlatformException.class);
  }

  private X509Svid issue(CertificateAuthority intermediate, String path) {
    return intermediate.issueSvid(SpiffeId.of(DOMAIN, path), List.of(), List.of(), SVID_TTL);
  }

  private SpiffeId verify(TrustBundle bundle, X509Svid svid) throws CertificateException {
    return new SpiffeTrustManager(
            () -> bundle,
            () -> DenyList.EMPTY,
            PeerAuthorizer.memberOf(DOMAIN),
            clock,
            refusal -> {})
        .verify(svid.chain().toArray(X509Certificate[]::new), SpiffeTrustManager.Role.CLIENT);
  }
}
