package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;
import java.net.InetAddress;
import java.util.List;

/**
 * The names an SVID carries: one SPIFFE ID and, for listeners that clients reach by host name or
 * address, DNS names and IP addresses.
 *
 * @param id the SPIFFE ID
 * @param dnsNames host names, checked and in lowercase
 * @param addresses IP addresses
 */
public record SvidNames(SpiffeId id, List<String> dnsNames, List<InetAddress> addresses) {
  public SvidNames {
    requireNonNull(id, "id");
    dnsNames = DnsNames.checked(requireNonNull(dnsNames, "dnsNames"));
    addresses = List.copyOf(requireNonNull(addresses, "addresses"));
  }
}
