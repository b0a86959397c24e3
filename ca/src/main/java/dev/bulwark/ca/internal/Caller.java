package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;
import java.util.Optional;

/**
 * Who asks the CA for something, as far as audit records need to say: the SPIFFE ID the caller
 * proved at the TLS handshake (if it presented a certificate), where the request came from, and its
 * request id.
 *
 * @param peer the caller's SPIFFE ID, if it presented an SVID
 * @param sourceAddress the caller's IP address, or {@code in-process}
 * @param requestId the request's id, if it came over HTTP
 */
public record Caller(Optional<SpiffeId> peer, String sourceAddress, Optional<String> requestId) {
  public Caller {
    requireNonNull(peer, "peer");
    requireNonNull(sourceAddress, "sourceAddress");
    requireNonNull(requestId, "requestId");
  }

  /** Code running inside the CA's own process, such as the platform wiring it up. */
  public static Caller inProcess() {
    return new Caller(Optional.empty(), "in-process", Optional.empty());
  }

  /** What audit records name as the actor. */
  public String actor() {
    return peer.map(SpiffeId::toString).orElse(sourceAddress);
  }
}
