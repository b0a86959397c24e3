package dev.bulwark.policy.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddrTest {

  private static IpAddr ip(String text) {
    return IpAddr.parse(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.0.0.0",
        "127.0.0.1",
        "255.255.255.255",
        "10.0.0.0/8",
        "10.0.0.1/0",
        "192.168.1.0/24",
        "1.2.3.4/32"
      })
  void parsesIpv4AddressesAndRanges(String text) {
    IpAddr a = ip(text);
    assertThat(a.isIpv4()).isTrue();
    assertThat(a.isIpv6()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::",
        "::1",
        "1::",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1:2:3::6:7:8",
        "2001:DB8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001",
        "ff00::/8",
        "fe80::/10",
        "::/0",
        "::1/128",
        "::ffff:ff00:1",
        "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128"
      })
  void parsesIpv6AddressesAndRanges(String text) {
    IpAddr a = ip(text);
    assertThat(a.isIpv6()).isTrue();
    assertThat(a.isIpv4()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.256",
        "01.2.3.4",
        "1.2.3.04",
        "1.2.3.0000",
        "1..3.4",
        "1.2.3.4.",
        ".1.2.3.4",
        "+1.2.3.4",
        "1.2.3.-4",
        "1.2.3.4 ",
        " 1.2.3.4",
        "0x7f.0.0.1",
        "\u0661.2.3.4",
        "localhost",
        "example.com",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4::5:6:7:8",
        "1::2::3",
        ":::",
        ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:",
        "12345::",
        "g::",
        "[::1]",
        "fe80::1%eth0",
        "fe80::1%1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "1:2:3:4:5:6:1.2.3.4",
        "::1.2",
        "1.2.3.4:80",
        "0000:0000:0000:0000:0000:0000:0000:0000/0128"
      })
  void rejectsMalformedAddresses(String text) {
    assertThatThrownBy(() -> ip(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1.2.3.4/",
        "1.2.3.4/33",
        "1.2.3.4/032",
        "1.2.3.4/08",
        "1.2.3.4/+8",
        "1.2.3.4/-1",
        "1.2.3.4/8/8",
        "1.2.3.4/8 ",
        "1.2.3.4/100",
        "::/129",
        "::/0128",
        "::/00",
        "::/",
        "::/1a",
        "::/1000"
      })
  void rejectsMalformedPrefixes(String text) {
    assertThatThrownBy(() -> ip(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @Test
  void rejectsTextLongerThanTheLongestAddress() {
    assertThatThrownBy(() -> ip("0000:0000:0000:0000:0000:0000:0000:00001/128"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 43 characters");
  }

  @Test
  void equatesASingleAddressWithItsFullLengthPrefix() {
    assertThat(ip("10.0.0.1")).isEqualTo(ip("10.0.0.1/32")).hasSameHashCodeAs(ip("10.0.0.1/32"));
    assertThat(ip("::1")).isEqualTo(ip("::1/128"));
    assertThat(ip("2001:db8::1")).isEqualTo(ip("2001:0DB8:0:0:0:0:0:1"));
  }

  @Test
  void keepsHostBitsAndPrefixInEquality() {
    assertThat(ip("10.0.0.1/24")).isNotEqualTo(ip("10.0.0.0/24"));
    assertThat(ip("10.0.0.0/24")).isNotEqualTo(ip("10.0.0.0/16"));
  }

  @Test
  void neverEquatesIpv4WithIpv6() {
    assertThat(ip("0.0.0.1")).isNotEqualTo(ip("::1"));
    assertThat(ip("127.0.0.1")).isNotEqualTo(ip("::ffff:7f00:1"));
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, true",
    "127.255.255.255, true",
    "127.0.0.0/8, true",
    "127.1.0.0/16, true",
    "127.0.0.0/7, false",
    "126.0.0.0/7, false",
    "128.0.0.1, false",
    "::1, true",
    "::1/127, false",
    "::1/128, true",
    "::2, false",
    "::ffff:7f00:1, false",
    "0.0.0.0/0, false"
  })
  void detectsLoopbackRanges(String text, boolean loopback) {
    assertThat(ip(text).isLoopback()).isEqualTo(loopback);
  }

  @ParameterizedTest
  @CsvSource({
    "224.0.0.1, true",
    "239.255.255.255, true",
    "224.0.0.0/4, true",
    "224.0.0.0/3, false",
    "240.0.0.1, false",
    "223.255.255.255, false",
    "ff02::1, true",
    "ff00::/8, true",
    "ff00::/7, false",
    "fe00::, false",
    "::ffff:e000:1, false"
  })
  void detectsMulticastRanges(String text, boolean multicast) {
    assertThat(ip(text).isMulticast()).isEqualTo(multicast);
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.1, 10.0.0.0/8, true",
    "10.0.0.0/8, 10.0.0.0/8, true",
    "10.0.0.0/8, 10.0.0.0/16, false",
    "10.0.0.0/24, 10.0.0.1/24, true",
    "10.0.0.1/24, 10.0.0.0/24, true",
    "11.0.0.1, 10.0.0.0/8, false",
    "10.0.0.1, 10.0.0.1, true",
    "10.0.0.1, 10.0.0.2, false",
    "255.255.255.255, 0.0.0.0/0, true",
    "0.0.0.0/0, 255.255.255.255/0, true",
    "192.168.0.1, 192.168.0.0/31, true",
    "192.168.0.2, 192.168.0.0/31, false",
    "::1, ::/0, true",
    "2001:db8::1, 2001:db8::/32, true",
    "2001:db9::1, 2001:db8::/32, false",
    "2001:db8::/31, 2001:db8::/32, false",
    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, 2001:db8::/32, true",
    "8000::, ::/1, false",
    "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ::/1, true",
    "1:2:3:4:ffff::, 1:2:3:4::/64, true",
    "1:2:3:5::, 1:2:3:4::/64, false",
    "1:2:3:4::/63, 1:2:3:4::/64, false",
    "1:2:3:4:8000::, 1:2:3:4::/65, false",
    "1:2:3:4:7fff::, 1:2:3:4::/65, true",
    "10.0.0.1, ::/0, false",
    "::a00:1, 10.0.0.0/8, false"
  })
  void checksWhetherOneRangeLiesWithinAnother(String inner, String outer, boolean inRange) {
    assertThat(ip(inner).isInRange(ip(outer))).isEqualTo(inRange);
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.1, 10.0.0.1",
    "10.0.0.1/32, 10.0.0.1",
    "10.0.0.1/24, 10.0.0.1/24",
    "0.0.0.0/0, 0.0.0.0/0",
    "::, ::",
    "::1, ::1",
    "1::, 1::",
    "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "1:0:0:2:0:0:0:3, 1:0:0:2::3",
    "::ffff:ff00:1, ::ffff:ff00:1",
    "::ffff:7f00:1/104, ::ffff:7f00:1/104",
    "fe80::/10, fe80::/10",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8"
  })
  void writesAnArgumentThatParsesBackToTheSameValue(String text, String argument) {
    IpAddr a = ip(text);
    assertThat(a.argument()).isEqualTo(argument);
    assertThat(ip(a.argument())).isEqualTo(a);
  }

  @Test
  void namesItselfAsCedarDoes() {
    IpAddr a = ip("10.0.0.0/8");
    assertThat(a.typeName()).isEqualTo("ipaddr");
    assertThat(a.constructorName()).isEqualTo("ip");
    assertThat(a).hasToString("ip(\"10.0.0.0/8\")");
  }
}
