package dev.bulwark.keys.server;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;

/**
 * Which workloads a {@link KeyAccessPolicy} rule is about, by the SPIFFE ID of their client
 * certificate.
 */
public sealed interface Callers {
  /** Whether {@code caller} is one of these workloads. */
  boolean includes(SpiffeId caller);

  /** Only the workload {@code id}. */
  static Callers exactly(SpiffeId id) {
    return new Exactly(requireNonNull(id, "id"));
  }

  /**
   * The workload {@code prefix} and every workload below it in the same trust domain: {@code
   * under(spiffe://acme/payments)} includes {@code spiffe://acme/payments/api} but not {@code
   * spiffe://acme/payments-old}, since matching is by whole path segments.
   */
  static Callers under(SpiffeId prefix) {
    return new Under(requireNonNull(prefix, "prefix"));
  }

  /**
   * {@link #under(SpiffeId)} with the prefix given as text, e.g. {@code spiffe://acme/payments}.
   */
  static Callers under(String prefix) {
    return under(SpiffeId.parse(requireNonNull(prefix, "prefix")));
  }

  /** One workload. */
  record Exactly(SpiffeId id) implements Callers {
    public Exactly {
      requireNonNull(id, "id");
    }

    @Override
    public boolean includes(SpiffeId caller) {
      return id.equals(caller);
    }

    @Override
    public String toString() {
      return id.toString();
    }
  }

  /** A workload and those below it. */
  record Under(SpiffeId prefix) implements Callers {
    public Under {
      requireNonNull(prefix, "prefix");
    }

    @Override
    public boolean includes(SpiffeId caller) {
      if (!caller.trustDomain().equals(prefix.trustDomain())) {
        return false;
      }
      String path = caller.path();
      String base = prefix.path();
      if (base.isEmpty() || base.equals("/")) {
        return true;
      }
      return path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/");
    }

    @Override
    public String toString() {
      return prefix + "/**";
    }
  }
}
