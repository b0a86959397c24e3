package dev.bulwark.gateway.upstream;

import dev.bulwark.ca.CertificateAuthority;
import dev.bulwark.runtime.tls.TlsContexts;
import dev.bulwark.sdk.tls.ReloadableKeyManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** A test CA, server contexts for 127.0.0.1 (or a wrong name), and clients that trust the CA. */
final class TestTls {
  private final CertificateAuthority authority =
      CertificateAuthority.createRoot("Wire test CA", Duration.ofDays(1), Clock.systemUTC());

  SSLContext server() {
    return server(List.of("localhost"), true);
  }

  /** A server whose certificate names another host only. */
  SSLContext impostor() {
    return server(List.of("wrong.example"), false);
  }

  private SSLContext server(List<String> names, boolean loopbackAddress) {
    try {
      List<InetAddress> addresses =
          loopbackAddress ? List.of(InetAddress.getByName("127.0.0.1")) : List.of();
      return TlsContexts.server(
          new ReloadableKeyManager(
              authority.issueEndpointCertificate(
                  "upstream", names, addresses, Duration.ofHours(1))),
          List.of());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  SSLContext client() {
    return TlsContexts.client(List.of(authority.certificate()), Optional.empty());
  }
}
