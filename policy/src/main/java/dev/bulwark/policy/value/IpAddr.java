package dev.bulwark.policy.value;

/** Cedar's {@code ipaddr}: an IPv4 or IPv6 address or CIDR range. */
public final class IpAddr implements ExtensionValue {
  private IpAddr() {}

  /**
   * Parses an address or range, e.g. {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}.
   *
   * @throws IllegalArgumentException if the text is malformed
   */
  public static IpAddr parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean isIpv4() {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean isIpv6() {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean isLoopback() {
    throw new UnsupportedOperationException("not yet");
  }

  public boolean isMulticast() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Whether every address of this range lies within {@code other}. */
  public boolean isInRange(IpAddr other) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String constructorName() {
    return "ip";
  }

  @Override
  public String argument() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public String typeName() {
    return "ipaddr";
  }
}
