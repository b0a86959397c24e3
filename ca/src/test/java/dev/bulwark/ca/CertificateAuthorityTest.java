package dev.bulwark.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.tls.CertifiedKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {
  private final CertificateAuthority authority = TestEndpoints.authority("Test CA");

  @Test
  void issuesLeafSignedByTheAuthority() throws Exception {
    CertifiedKey issued = TestEndpoints.loopback(authority, "gateway");

    issued.leaf().verify(authority.certificate().getPublicKey());
    assertThat(issued.chain()).containsExactly(issued.leaf(), authority.certificate());
  }

  @Test
  void leafIsNotACertificateAuthority() {
    X509Certificate leaf = TestEndpoints.loopback(authority, "gateway").leaf();

    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()[5]).as("keyCertSign").isFalse();
  }

  @Test
  void leafNamesLoopbackAndAllowsServerAndClientAuthentication() throws Exception {
    X509Certificate leaf = TestEndpoints.loopback(authority, "gateway").leaf();

    assertThat(leaf.getSubjectAlternativeNames())
        .anySatisfy(name -> assertThat(name).isEqualTo(List.of(2, "localhost")))
        .anySatisfy(name -> assertThat(name).isEqualTo(List.of(7, "127.0.0.1")));
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
  }

  @Test
  void leafNeverOutlivesTheAuthority() {
    CertificateAuthority shortLived =
        CertificateAuthority.createRoot("Short", Duration.ofMinutes(10), Clock.systemUTC());

    CertifiedKey issued =
        shortLived.issueEndpointCertificate(
            "gateway", List.of("localhost"), List.of(), Duration.ofDays(30));

    assertThat(issued.notAfter())
        .isBeforeOrEqualTo(shortLived.certificate().getNotAfter().toInstant());
  }

  @Test
  void restoredAuthorityIssuesCertificatesTheOriginalTrustChainAccepts() throws Exception {
    CertificateAuthority restored =
        CertificateAuthority.restore(
            authority.certificatePem(), authority.privateKeyPkcs8(), Clock.systemUTC());

    TestEndpoints.loopback(restored, "identity")
        .leaf()
        .verify(authority.certificate().getPublicKey());
  }

  @Test
  void serialsAreUnpredictableAndDistinct() {
    assertThat(TestEndpoints.loopback(authority, "a").leaf().getSerialNumber())
        .isNotEqualTo(TestEndpoints.loopback(authority, "a").leaf().getSerialNumber());
  }

  @Test
  void printingNeverShowsThePrivateKey() {
    CertifiedKey issued = TestEndpoints.loopback(authority, "gateway");

    assertThat(authority.toString()).contains("***");
    assertThat(issued.toString()).contains("privateKey=***");
  }
}
