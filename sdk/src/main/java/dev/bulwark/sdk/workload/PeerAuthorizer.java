package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which workloads may be the peer of a connection: the other half of mutual TLS, after the peer's
 * certificate has been verified. A server lists the workloads allowed to call it; a client names
 * the workload it expects to reach.
 */
public interface PeerAuthorizer {
  /** Whether {@code peer} may be the other end of the connection. */
  boolean allows(SpiffeId peer);

  /** Only the workloads named. */
  static PeerAuthorizer only(Collection<SpiffeId> allowed) {
    Set<SpiffeId> copy = Set.copyOf(allowed);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("allowed: empty (expected at least one SPIFFE ID)");
    }
    return new PeerAuthorizer() {
      @Override
      public boolean allows(SpiffeId peer) {
        return copy.contains(peer);
      }

      @Override
      public String toString() {
        return copy.stream().map(SpiffeId::toString).sorted().collect(Collectors.joining(", "));
      }
    };
  }

  /** Only the workloads named. */
  static PeerAuthorizer only(SpiffeId... allowed) {
    // Set.of would throw on a name given twice; Set.copyOf in the other overload tolerates it.
    return only(java.util.Arrays.asList(allowed));
  }

  /** Any workload of {@code trustDomain}. */
  static PeerAuthorizer memberOf(TrustDomain trustDomain) {
    requireNonNull(trustDomain, "trustDomain");
    return new PeerAuthorizer() {
      @Override
      public boolean allows(SpiffeId peer) {
        return peer.memberOf(trustDomain);
      }

      @Override
      public String toString() {
        return "any workload of " + trustDomain;
      }
    };
  }
}
