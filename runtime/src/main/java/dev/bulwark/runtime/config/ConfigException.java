package dev.bulwark.runtime.config;

/**
 * A configuration value that Bulwark cannot start with. The message names the key, where it came
 * from, the bad value and what was expected; it never contains a secret value.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable error code, for scripts and tests that match on the kind of failure. */
  public static final String CODE = "config.invalid";

  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The dotted configuration key at fault, e.g. {@code gateway.clock_skew}. */
  public String key() {
    return key;
  }

  public String code() {
    return CODE;
  }
}
