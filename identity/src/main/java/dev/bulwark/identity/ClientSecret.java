package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

/** A client secret in the clear, as handed out once at registration; prints as {@code ***}. */
public final class ClientSecret {
  private final String value;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  public ClientSecret(String value) {
    this.value = requireNonNull(value, "value");
  }

  /** A new secret of 256 random bits, base64url-encoded. */
  public static ClientSecret generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new ClientSecret(
        java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /** The secret itself, for the one place that must show or send it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "***";
  }
}
