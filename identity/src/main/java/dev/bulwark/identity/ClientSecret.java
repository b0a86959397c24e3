package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

/** A client secret in the clear, as handed out once at registration; prints as {@code ***}. */
public final class ClientSecret {
  private final String value;

  public ClientSecret(String value) {
    this.value = requireNonNull(value, "value");
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
