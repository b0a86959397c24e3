package dev.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.value.IpAddr;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CedarRequestsTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "::1, ::1",
    "::ffff:10.1.2.3, 10.1.2.3",
    "fe80::1%eth0, fe80::1",
    "[2001:db8::7], 2001:db8::7"
  })
  void peerAddressesBecomeCedarIpaddrs(String peer, String expected) {
    assertThat(CedarRequests.ipAddress(peer)).contains(IpAddr.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unknown", "", "example.com", "1.2.3.4.5"})
  void anythingElseIsLeftOutSoPoliciesReadingItFailClosed(String peer) {
    assertThat(CedarRequests.ipAddress(peer)).isEqualTo(Optional.empty());
  }
}
