package dev.bulwark.sdk.workload;

import static java.util.Objects.requireNonNull;

/**
 * A SPIFFE trust domain: the name of one root of trust, such as {@code bulwark.local}. Names are
 * lowercase letters, digits, dots, dashes and underscores (SPIFFE-ID §2.1), at most 255 characters.
 */
public final class TrustDomain {
  private static final int MAX_LENGTH = 255;

  private final String name;

  private TrustDomain(String name) {
    this.name = name;
  }

  /**
   * The trust domain called {@code name}.
   *
   * @throws IllegalArgumentException naming the rule broken, if {@code name} is not a valid name
   */
  public static TrustDomain of(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "trust domain '" + name + "': expected 1-" + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException(
            "trust domain '"
                + name
                + "': character '"
                + c
                + "' is not allowed (expected lowercase letters, digits, '.', '-', '_')");
      }
    }
    return new TrustDomain(name);
  }

  /** The name, e.g. {@code bulwark.local}. */
  public String name() {
    return name;
  }

  /** The trust domain's own SPIFFE ID, {@code spiffe://<name>}, as its CA certificates carry it. */
  public SpiffeId id() {
    return SpiffeId.of(this, "");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrustDomain that && name.equals(that.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
