package dev.bulwark.policy.internal.ast;

import java.util.Arrays;
import java.util.Optional;

/** Cedar's extension functions and methods, with their arity (a method's receiver counts). */
public enum ExtensionFunction {
  DECIMAL("decimal", 1, false),
  IP("ip", 1, false),
  DATETIME("datetime", 1, false),
  DURATION("duration", 1, false),
  LESS_THAN("lessThan", 2, true),
  LESS_THAN_OR_EQUAL("lessThanOrEqual", 2, true),
  GREATER_THAN("greaterThan", 2, true),
  GREATER_THAN_OR_EQUAL("greaterThanOrEqual", 2, true),
  IS_IPV4("isIpv4", 1, true),
  IS_IPV6("isIpv6", 1, true),
  IS_LOOPBACK("isLoopback", 1, true),
  IS_MULTICAST("isMulticast", 1, true),
  IS_IN_RANGE("isInRange", 2, true),
  OFFSET("offset", 2, true),
  DURATION_SINCE("durationSince", 2, true),
  TO_DATE("toDate", 1, true),
  TO_TIME("toTime", 1, true),
  TO_MILLISECONDS("toMilliseconds", 1, true),
  TO_SECONDS("toSeconds", 1, true),
  TO_MINUTES("toMinutes", 1, true),
  TO_HOURS("toHours", 1, true),
  TO_DAYS("toDays", 1, true);

  private final String cedarName;
  private final int arity;
  private final boolean method;

  ExtensionFunction(String cedarName, int arity, boolean method) {
    this.cedarName = cedarName;
    this.arity = arity;
    this.method = method;
  }

  public String cedarName() {
    return cedarName;
  }

  /** Number of arguments, the receiver included for methods. */
  public int arity() {
    return arity;
  }

  /** Whether it is called as {@code receiver.name(...)} rather than {@code name(...)}. */
  public boolean isMethod() {
    return method;
  }

  /** The function or method of that name. */
  public static Optional<ExtensionFunction> named(String name, boolean method) {
    return Arrays.stream(values())
        .filter(f -> f.cedarName.equals(name) && f.method == method)
        .findFirst();
  }
}
