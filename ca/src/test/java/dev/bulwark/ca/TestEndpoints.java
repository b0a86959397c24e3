package dev.bulwark.ca;

import dev.bulwark.sdk.tls.CertifiedKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A test CA and loopback endpoint certificates issued by it. */
final class TestEndpoints {
  private TestEndpoints() {}

  static CertificateAuthority authority(String name) {
    return CertificateAuthority.createRoot(name, Duration.ofDays(1), Clock.systemUTC());
  }

  static CertifiedKey loopback(CertificateAuthority authority, String commonName) {
    try {
      return authority.issueEndpointCertificate(
          commonName,
          List.of("localhost"),
          List.of(InetAddress.getByName("127.0.0.1")),
          Duration.ofHours(1));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
