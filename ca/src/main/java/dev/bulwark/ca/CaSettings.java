package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.internal.DnsNames;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The CA server's settings (config section {@code ca}).
 *
 * @param trustDomain the trust domain whose SVIDs the CA issues ({@code trust_domain})
 * @param svidTtl how long SVIDs live ({@code svid_ttl}, default 1h, from 5s to 7d)
 * @param joinTokenTtl how long a join token lives unless its creator says otherwise ({@code
 *     join_token_ttl}, default 10m, at most 24h)
 * @param admins the SPIFFE IDs allowed to use the admin endpoints ({@code admins})
 * @param listenerDnsNames the DNS names in the CA listener's own SVID, for clients that check host
 *     names ({@code dns_names}, default {@code localhost})
 * @param listenerAddresses the IP addresses in the listener's SVID ({@code ip_addresses}, default
 *     the loopback addresses)
 * @param kubernetes how to attest Kubernetes workloads, if at all ({@code kubernetes})
 */
public record CaSettings(
    TrustDomain trustDomain,
    Duration svidTtl,
    Duration joinTokenTtl,
    Set<SpiffeId> admins,
    List<String> listenerDnsNames,
    List<InetAddress> listenerAddresses,
    Optional<KubernetesSettings> kubernetes) {
  public static final Duration MIN_SVID_TTL = Duration.ofSeconds(5);
  public static final Duration MAX_SVID_TTL = Duration.ofDays(7);
  public static final Duration MAX_JOIN_TOKEN_TTL = Duration.ofHours(24);

  public CaSettings {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(svidTtl, "svidTtl");
    requireNonNull(joinTokenTtl, "joinTokenTtl");
    admins = Set.copyOf(requireNonNull(admins, "admins"));
    listenerAddresses = List.copyOf(requireNonNull(listenerAddresses, "listenerAddresses"));
    requireNonNull(kubernetes, "kubernetes");
    if (svidTtl.compareTo(MIN_SVID_TTL) < 0 || svidTtl.compareTo(MAX_SVID_TTL) > 0) {
      throw new IllegalArgumentException(
          "ca.svid_ttl: "
              + svidTtl
              + " (expected from "
              + MIN_SVID_TTL
              + " to "
              + MAX_SVID_TTL
              + ")");
    }
    if (joinTokenTtl.compareTo(Duration.ofSeconds(1)) < 0
        || joinTokenTtl.compareTo(MAX_JOIN_TOKEN_TTL) > 0) {
      throw new IllegalArgumentException(
          "ca.join_token_ttl: "
              + joinTokenTtl
              + " (expected from 1s to "
              + MAX_JOIN_TOKEN_TTL
              + ")");
    }
    for (SpiffeId admin : admins) {
      if (!admin.memberOf(trustDomain) || admin.path().isEmpty()) {
        throw new IllegalArgumentException(
            "ca.admins: " + admin + " is not a workload of trust domain " + trustDomain);
      }
    }
    try {
      listenerDnsNames = DnsNames.checked(requireNonNull(listenerDnsNames, "listenerDnsNames"));
    } catch (CaException e) {
      throw new IllegalArgumentException("ca.dns_names: " + e.getMessage(), e);
    }
  }

  /**
   * The defaults for {@code trustDomain}: SVIDs for an hour, join tokens for ten minutes, no
   * admins, a listener named {@code localhost}, {@code 127.0.0.1} and {@code ::1}, no Kubernetes.
   */
  public static CaSettings defaults(TrustDomain trustDomain) {
    return new CaSettings(
        trustDomain,
        Duration.ofHours(1),
        Duration.ofMinutes(10),
        Set.of(),
        List.of("localhost"),
        List.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1")),
        Optional.empty());
  }

  public CaSettings withSvidTtl(Duration ttl) {
    return new CaSettings(
        trustDomain, ttl, joinTokenTtl, admins, listenerDnsNames, listenerAddresses, kubernetes);
  }

  public CaSettings withJoinTokenTtl(Duration ttl) {
    return new CaSettings(
        trustDomain, svidTtl, ttl, admins, listenerDnsNames, listenerAddresses, kubernetes);
  }

  public CaSettings withAdmins(Set<SpiffeId> ids) {
    return new CaSettings(
        trustDomain, svidTtl, joinTokenTtl, ids, listenerDnsNames, listenerAddresses, kubernetes);
  }

  public CaSettings withListenerNames(List<String> dnsNames, List<InetAddress> addresses) {
    return new CaSettings(
        trustDomain, svidTtl, joinTokenTtl, admins, dnsNames, addresses, kubernetes);
  }

  public CaSettings withKubernetes(KubernetesSettings settings) {
    return new CaSettings(
        trustDomain,
        svidTtl,
        joinTokenTtl,
        admins,
        listenerDnsNames,
        listenerAddresses,
        Optional.of(settings));
  }

  /** The SPIFFE ID of the CA's own listener: {@code spiffe://<trust-domain>/bulwark/ca}. */
  public SpiffeId caId() {
    return SpiffeId.of(trustDomain, "/bulwark/ca");
  }
}
