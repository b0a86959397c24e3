package dev.bulwark.policy.value;

import static java.util.Objects.requireNonNull;

/**
 * Cedar's {@code ipaddr}: an IPv4 or IPv6 address with a prefix length, standing for a single
 * address ({@code /32}, {@code /128}) or a CIDR range.
 *
 * <p>Two values are equal when family, address and prefix are: {@code ip("10.0.0.1") ==
 * ip("10.0.0.1/32")}, but {@code ip("10.0.0.1/24") != ip("10.0.0.0/24")} because the host bits are
 * kept, and an IPv4 address never equals an IPv6 one, IPv4-mapped or not.
 */
public final class IpAddr implements ExtensionValue {
  private static final int V4_BITS = 32;
  private static final int V6_BITS = 128;

  /** {@code ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128}, the longest text Cedar accepts. */
  private static final int MAX_TEXT_LENGTH = 43;

  private static final IpAddr LOOPBACK_V4 = new IpAddr(false, 0, 0x7f00_0000L, 8);
  private static final IpAddr LOOPBACK_V6 = new IpAddr(true, 0, 1, 128);
  private static final IpAddr MULTICAST_V4 = new IpAddr(false, 0, 0xe000_0000L, 4);
  private static final IpAddr MULTICAST_V6 = new IpAddr(true, 0xff00_0000_0000_0000L, 0, 8);

  private final boolean v6;

  /** The upper 64 bits of an IPv6 address; zero for IPv4. */
  private final long high;

  /** The lower 64 bits of an IPv6 address, or the IPv4 address in the lower 32 bits. */
  private final long low;

  private final int prefix;

  private IpAddr(boolean v6, long high, long low, int prefix) {
    this.v6 = v6;
    this.high = high;
    this.low = low;
    this.prefix = prefix;
  }

  /**
   * Parses an address or range, e.g. {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code
   * fe80::/10}, as strictly as Cedar's reference implementation.
   *
   * <p>IPv4 takes exactly four decimal octets of at most three digits, without leading zeros; IPv6
   * takes hexadecimal groups of one to four digits with at most one {@code ::}, which must stand
   * for at least one group. Rejected: IPv4 embedded in IPv6 ({@code ::ffff:1.2.3.4}), zone ids
   * ({@code %eth0}), brackets, whitespace, and prefixes with leading zeros, signs, or above 32 or
   * 128 (Cedar reference, "Operators and functions: ip").
   *
   * @throws IllegalArgumentException if the text is malformed
   */
  public static IpAddr parse(String text) {
    requireNonNull(text, "text");
    if (text.length() > MAX_TEXT_LENGTH) {
      throw malformed(text, "at most " + MAX_TEXT_LENGTH + " characters");
    }
    if (count(text, ':') >= 2 && count(text, '.') >= 2) {
      throw malformed(text, "no IPv4 address embedded in IPv6; write it in hexadecimal groups");
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    IpAddr parsed = parseV4(address);
    if (parsed == null) {
      parsed = parseV6(address);
    }
    if (parsed == null) {
      throw malformed(text, "an IPv4 address like 10.0.0.1 or an IPv6 address like 2001:db8::1");
    }
    if (slash < 0) {
      return parsed;
    }
    int bits = parsed.bits();
    String prefixText = text.substring(slash + 1);
    int prefix = parsePrefix(prefixText, bits);
    if (prefix < 0) {
      throw malformed(
          text, "a prefix length from 0 to " + bits + " without leading zeros after the '/'");
    }
    return new IpAddr(parsed.v6, parsed.high, parsed.low, prefix);
  }

  private static int count(String s, char c) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }

  /** Dotted-quad IPv4, or null. */
  private static IpAddr parseV4(String s) {
    String[] octets = s.split("\\.", -1);
    if (octets.length != 4) {
      return null;
    }
    long value = 0;
    for (String octet : octets) {
      int n = parseDecimal(octet, 3);
      if (n < 0 || n > 0xff) {
        return null;
      }
      value = value << 8 | n;
    }
    return new IpAddr(false, 0, value, V4_BITS);
  }

  /** IPv6 in hexadecimal groups, or null. */
  private static IpAddr parseV6(String s) {
    int gap = s.indexOf("::");
    int[] groups = new int[8];
    if (gap < 0) {
      return parseGroups(s, groups) == 8 ? v6Of(groups) : null;
    }
    if (s.indexOf("::", gap + 2) >= 0) {
      return null;
    }
    int[] tail = new int[8];
    int headCount = parseGroups(s.substring(0, gap), groups);
    int tailCount = parseGroups(s.substring(gap + 2), tail);
    if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
      return null;
    }
    System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
    return v6Of(groups);
  }

  /** Reads the colon-separated groups of {@code s} into {@code groups}: how many, or -1. */
  private static int parseGroups(String s, int[] groups) {
    if (s.isEmpty()) {
      return 0;
    }
    String[] parts = s.split(":", -1);
    if (parts.length > groups.length) {
      return -1;
    }
    for (int i = 0; i < parts.length; i++) {
      int n = parseHex(parts[i]);
      if (n < 0) {
        return -1;
      }
      groups[i] = n;
    }
    return parts.length;
  }

  private static IpAddr v6Of(int[] groups) {
    long high = 0;
    long low = 0;
    for (int i = 0; i < 4; i++) {
      high = high << 16 | groups[i];
      low = low << 16 | groups[i + 4];
    }
    return new IpAddr(true, high, low, V6_BITS);
  }

  /** One to {@code maxDigits} ASCII digits without a leading zero, or -1. */
  private static int parseDecimal(String s, int maxDigits) {
    if (s.isEmpty() || s.length() > maxDigits || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** One to four ASCII hexadecimal digits, or -1. */
  private static int parseHex(String s) {
    if (s.isEmpty() || s.length() > 4) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return -1;
      }
      n = n << 4 | digit;
    }
    return n;
  }

  /** The prefix length, or -1 if the text is not one of at most {@code bits}. */
  private static int parsePrefix(String s, int bits) {
    int n = parseDecimal(s, bits == V4_BITS ? 2 : 3);
    return n <= bits ? n : -1;
  }

  private static IllegalArgumentException malformed(String text, String expected) {
    return new IllegalArgumentException(
        "ip: " + CedarText.quote(text) + " (expected: " + expected + ")");
  }

  private int bits() {
    return v6 ? V6_BITS : V4_BITS;
  }

  /** Whether this is an IPv4 address or range. */
  public boolean isIpv4() {
    return !v6;
  }

  /** Whether this is an IPv6 address or range; IPv4-mapped IPv6 addresses count as IPv6. */
  public boolean isIpv6() {
    return v6;
  }

  /**
   * Whether the whole range is loopback: within {@code 127.0.0.0/8}, or exactly {@code ::1}.
   *
   * <p>A range only partly inside, such as {@code 126.0.0.0/7}, is not loopback.
   */
  public boolean isLoopback() {
    return isInRange(v6 ? LOOPBACK_V6 : LOOPBACK_V4);
  }

  /** Whether the whole range is multicast: within {@code 224.0.0.0/4} or {@code ff00::/8}. */
  public boolean isMulticast() {
    return isInRange(v6 ? MULTICAST_V6 : MULTICAST_V4);
  }

  /**
   * Whether every address of this range lies within {@code other}; false across families.
   *
   * <p>Both ranges are taken with their host bits cleared, so {@code ip("10.0.0.1/24")} is in
   * {@code ip("10.0.0.0/24")} and the other way round.
   */
  public boolean isInRange(IpAddr other) {
    requireNonNull(other, "other");
    if (v6 != other.v6) {
      return false;
    }
    int hostBits = bits() - prefix;
    int otherHostBits = other.bits() - other.prefix;
    long firstHigh = high & ~hostMaskHigh(hostBits);
    long firstLow = low & ~hostMaskLow(hostBits);
    long lastHigh = high | hostMaskHigh(hostBits);
    long lastLow = low | hostMaskLow(hostBits);
    long otherFirstHigh = other.high & ~hostMaskHigh(otherHostBits);
    long otherFirstLow = other.low & ~hostMaskLow(otherHostBits);
    long otherLastHigh = other.high | hostMaskHigh(otherHostBits);
    long otherLastLow = other.low | hostMaskLow(otherHostBits);
    return compareUnsigned(otherFirstHigh, otherFirstLow, firstHigh, firstLow) <= 0
        && compareUnsigned(lastHigh, lastLow, otherLastHigh, otherLastLow) <= 0;
  }

  private static long hostMaskLow(int hostBits) {
    return hostBits >= 64 ? -1L : (1L << hostBits) - 1;
  }

  private static long hostMaskHigh(int hostBits) {
    if (hostBits <= 64) {
      return 0;
    }
    return hostBits == 128 ? -1L : (1L << (hostBits - 64)) - 1;
  }

  private static int compareUnsigned(long aHigh, long aLow, long bHigh, long bLow) {
    int c = Long.compareUnsigned(aHigh, bHigh);
    return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
  }

  @Override
  public String constructorName() {
    return "ip";
  }

  /**
   * The address in canonical form ({@code 10.0.0.1}; IPv6 per RFC 5952 section 4, e.g. {@code
   * 2001:db8::1}), followed by {@code /prefix} unless it is a single address.
   */
  @Override
  public String argument() {
    String address = v6 ? formatV6() : formatV4();
    return prefix == bits() ? address : address + "/" + prefix;
  }

  private String formatV4() {
    return (low >>> 24 & 0xff)
        + "."
        + (low >>> 16 & 0xff)
        + "."
        + (low >>> 8 & 0xff)
        + "."
        + (low & 0xff);
  }

  private String formatV6() {
    int[] groups = new int[8];
    for (int i = 0; i < 4; i++) {
      groups[i] = (int) (high >>> (48 - 16 * i) & 0xffff);
      groups[i + 4] = (int) (low >>> (48 - 16 * i) & 0xffff);
    }
    // RFC 5952 section 4.2: "::" replaces the longest run of two or more zero groups, the first
    // such run on a tie.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  @Override
  public String typeName() {
    return "ipaddr";
  }

  /** Equal when family, address bits and prefix length are, as in Cedar. */
  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddr other
        && v6 == other.v6
        && high == other.high
        && low == other.low
        && prefix == other.prefix;
  }

  @Override
  public int hashCode() {
    int h = Boolean.hashCode(v6);
    h = 31 * h + Long.hashCode(high);
    h = 31 * h + Long.hashCode(low);
    return 31 * h + prefix;
  }

  /** The value as Cedar writes it: {@code ip("10.0.0.0/8")}. */
  @Override
  public String toString() {
    return constructorName() + "(" + CedarText.quote(argument()) + ")";
  }
}
