package dev.bulwark.runtime.http;

import dev.bulwark.sdk.workload.SpiffeId;
import io.helidon.common.socket.PeerInfo;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The SPIFFE ID of the workload at the other end of an mTLS connection. The listener's trust
 * manager has already verified the certificate at the handshake; this only reads the name.
 */
public final class PeerWorkload {
  private PeerWorkload() {}

  /** The peer's SPIFFE ID, or empty if it presented no certificate or one naming none. */
  public static Optional<SpiffeId> of(PeerInfo peer) {
    Optional<Certificate[]> certificates = peer.tlsCertificates();
    if (certificates.isEmpty()
        || certificates.get().length == 0
        || !(certificates.get()[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    try {
      return SpiffeId.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
