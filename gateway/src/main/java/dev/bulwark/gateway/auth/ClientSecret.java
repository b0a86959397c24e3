package dev.bulwark.gateway.auth;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/** A client secret the gateway authenticates with; {@link #toString()} never shows it. */
public final class ClientSecret {
  private final char[] value;

  private ClientSecret(char[] value) {
    this.value = value;
  }

  /**
   * Copies {@code secret}; the caller may wipe its array afterwards.
   *
   * @throws IllegalArgumentException if the secret is empty
   */
  public static ClientSecret of(char[] secret) {
    requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("clientSecret: empty (expected: the client's secret)");
    }
    return new ClientSecret(secret.clone());
  }

  /** A copy of the secret, for building the request that sends it. */
  char[] reveal() {
    return value.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClientSecret secret && Arrays.equals(value, secret.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "***";
  }
}
