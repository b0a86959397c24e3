package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.SpiffeTrustManager.Role;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

class SpiffeTrustManagerTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final TestCa CA = TestCa.create(TestCa.DOMAIN, NOW);
  private static final SpiffeId PEER = SpiffeId.parse("spiffe://bulwark.test/peer");

  private final AtomicReference<DenyList> denyList = new AtomicReference<>(DenyList.EMPTY);
  private final List<PeerRefusal> refusals = new ArrayList<>();
  private final SpiffeTrustManager trust = trustAllowing(PeerAuthorizer.memberOf(TestCa.DOMAIN));

  private SpiffeTrustManager trustAllowing(PeerAuthorizer authorizer) {
    return new SpiffeTrustManager(
        CA::bundle, denyList::get, authorizer, Clock.fixed(NOW, ZoneOffset.UTC), refusals::add);
  }

  private static TestCa.Leaf peer() {
    return CA.leaf(PEER).validity(NOW.minus(Duration.ofMinutes(30)), Duration.ofHours(1));
  }

  private static X509Certificate[] chain(TestCa.Leaf leaf) {
    return leaf.chain().toArray(X509Certificate[]::new);
  }

  @Test
  void acceptsAValidSvidAsClientAndServerAndNamesThePeer() throws Exception {
    X509Certificate[] chain = chain(peer());

    assertThat(trust.verify(chain, Role.CLIENT)).isEqualTo(PEER);
    assertThat(trust.verify(chain, Role.SERVER)).isEqualTo(PEER);
    trust.checkClientTrusted(chain, "EC");
    trust.checkServerTrusted(chain, "EC");
    assertThat(trust.getAcceptedIssuers()).containsExactly(CA.root());
    assertThat(refusals).isEmpty();
  }

  @Test
  void acceptsAChainThatCarriesItsRoot() throws Exception {
    List<X509Certificate> withRoot = new ArrayList<>(peer().chain());
    withRoot.add(CA.root());

    assertThat(trust.verify(withRoot.toArray(X509Certificate[]::new), Role.CLIENT)).isEqualTo(PEER);
  }

  @Test
  void refusesAPeerWithoutACertificate() {
    assertRefused(null, Role.CLIENT, Optional.empty(), "the peer presented no certificate");
    assertRefused(
        new X509Certificate[0], Role.CLIENT, Optional.empty(), "the peer presented no certificate");
  }

  @Test
  void refusesACertificateFromAnotherCa() {
    TestCa other = TestCa.create(TestCa.DOMAIN, NOW);
    X509Certificate[] chain =
        chain(other.leaf(PEER).validity(NOW.minus(Duration.ofMinutes(1)), Duration.ofHours(1)));

    assertRefused(
        chain,
        Role.CLIENT,
        Optional.of(PEER),
        "the peer's certificate is not issued by a CA of this trust domain");
  }

  @Test
  void refusesAnExpiredCertificate() {
    X509Certificate[] chain =
        chain(CA.leaf(PEER).validity(NOW.minus(Duration.ofHours(2)), NOW.minusSeconds(1)));

    assertRefused(chain, Role.SERVER, Optional.of(PEER), "the peer's certificate has expired");
  }

  @Test
  void refusesACertificateNotYetValid() {
    X509Certificate[] chain =
        chain(CA.leaf(PEER).validity(NOW.plusSeconds(60), Duration.ofHours(1)));

    assertRefused(chain, Role.SERVER, Optional.of(PEER), "the peer's certificate is not yet valid");
  }

  @Test
  void refusesACaCertificateAsLeaf() {
    X509Certificate[] chain = chain(peer().ca().keyUsage(KeyUsage.digitalSignature));

    assertRefused(
        chain,
        Role.CLIENT,
        Optional.of(PEER),
        "the peer certificate is a CA certificate, not an SVID");
  }

  @Test
  void refusesALeafThatMaySignCertificates() {
    X509Certificate[] chain =
        chain(peer().keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));

    assertRefused(chain, Role.CLIENT, Optional.of(PEER), "keyCertSign/cRLSign");
  }

  @Test
  void refusesALeafWithoutDigitalSignature() {
    X509Certificate[] chain = chain(peer().keyUsage(KeyUsage.keyAgreement));

    assertRefused(chain, Role.CLIENT, Optional.of(PEER), "lacks the digitalSignature key usage");
  }

  @Test
  void refusesALeafWhoseExtendedKeyUsageExcludesTheRole() throws Exception {
    X509Certificate[] serverOnly = chain(peer().purposes(KeyPurposeId.id_kp_serverAuth));

    assertThat(trust.verify(serverOnly, Role.SERVER)).isEqualTo(PEER);
    assertRefused(
        serverOnly, Role.CLIENT, Optional.of(PEER), "may not be used for client authentication");
  }

  @Test
  void refusesACertificateOfAnotherTrustDomain() {
    SpiffeId stranger = SpiffeId.parse("spiffe://elsewhere.test/peer");
    X509Certificate[] chain =
        chain(CA.leaf(stranger).validity(NOW.minusSeconds(60), Duration.ofHours(1)));

    assertRefused(
        chain,
        Role.CLIENT,
        Optional.of(stranger),
        "the peer spiffe://elsewhere.test/peer is not of trust domain bulwark.test");
  }

  @Test
  void refusesACertificateWithoutAWorkloadId() {
    assertRefused(chain(peer().uris()), Role.CLIENT, Optional.empty(), "names no SPIFFE ID");
    assertRefused(
        chain(peer().uris("spiffe://bulwark.test/a", "spiffe://bulwark.test/b")),
        Role.CLIENT,
        Optional.empty(),
        "is not an X.509-SVID");
    assertRefused(
        chain(peer().uris("spiffe://bulwark.test")),
        Role.CLIENT,
        Optional.of(TestCa.DOMAIN.id()),
        "has no path");
  }

  @Test
  void refusesADeniedIdentity() {
    denyList.set(new DenyList(Set.of(PEER), Set.of(), 1));

    assertRefused(
        chain(peer()),
        Role.CLIENT,
        Optional.of(PEER),
        "SPIFFE ID spiffe://bulwark.test/peer is revoked");
  }

  @Test
  void refusesADeniedSerial() {
    X509Certificate[] chain = chain(peer());
    denyList.set(new DenyList(Set.of(), Set.of(chain[0].getSerialNumber()), 1));

    assertRefused(
        chain,
        Role.SERVER,
        Optional.of(PEER),
        "certificate serial " + chain[0].getSerialNumber().toString(16) + " is revoked");
  }

  @Test
  void refusesAPeerTheAuthorizerDoesNotAllow() {
    SpiffeTrustManager onlyDb =
        trustAllowing(PeerAuthorizer.only(SpiffeId.parse("spiffe://bulwark.test/db")));

    assertThatThrownBy(() -> onlyDb.verify(chain(peer()), Role.CLIENT))
        .isInstanceOf(CertificateException.class)
        .hasMessage(
            "the peer spiffe://bulwark.test/peer is not allowed here (allowed:"
                + " spiffe://bulwark.test/db)");
    assertThat(refusals)
        .containsExactly(
            new PeerRefusal(
                Optional.of(PEER),
                Role.CLIENT,
                "the peer spiffe://bulwark.test/peer is not allowed here (allowed:"
                    + " spiffe://bulwark.test/db)"));
  }

  @Test
  void readsTheBundleAtEveryCheck() throws Exception {
    TestCa next = TestCa.create(TestCa.DOMAIN, NOW);
    AtomicReference<TrustBundle> bundle = new AtomicReference<>(CA.bundle());
    SpiffeTrustManager live =
        new SpiffeTrustManager(
            bundle::get,
            denyList::get,
            PeerAuthorizer.memberOf(TestCa.DOMAIN),
            Clock.fixed(NOW, ZoneOffset.UTC),
            refusals::add);
    X509Certificate[] fromNext =
        chain(next.leaf(PEER).validity(NOW.minusSeconds(60), Duration.ofHours(1)));
    assertThatThrownBy(() -> live.verify(fromNext, Role.CLIENT))
        .isInstanceOf(CertificateException.class);

    bundle.set(
        TrustBundle.of(TestCa.DOMAIN, List.of(CA.root(), next.root()), 2, Duration.ofMinutes(5)));

    assertThat(live.verify(fromNext, Role.CLIENT)).isEqualTo(PEER);
    assertThat(live.verify(chain(peer()), Role.CLIENT)).isEqualTo(PEER);
  }

  private void assertRefused(
      X509Certificate[] chain, Role role, Optional<SpiffeId> claimed, String reason) {
    refusals.clear();
    assertThatThrownBy(() -> trust.verify(chain, role))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining(reason);
    assertThat(refusals).hasSize(1);
    PeerRefusal refusal = refusals.get(0);
    assertThat(refusal.peer()).isEqualTo(claimed);
    assertThat(refusal.role()).isEqualTo(role);
    assertThat(refusal.reason()).contains(reason);
  }
}
