package dev.bulwark.ca;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.workload.SpiffeId;
import java.time.Instant;

/**
 * A join token as its creator receives it: the secret value, shown once (the CA keeps only its
 * SHA-256), the SPIFFE ID it attests, and when it expires. The value never appears in {@link
 * #toString()}.
 */
public final class JoinToken {
  private final String value;
  private final SpiffeId spiffeId;
  private final Instant expiresAt;

  public JoinToken(String value, SpiffeId spiffeId, Instant expiresAt) {
    this.value = requireNonNull(value, "value");
    this.spiffeId = requireNonNull(spiffeId, "spiffeId");
    this.expiresAt = requireNonNull(expiresAt, "expiresAt");
    if (value.isBlank()) {
      throw new IllegalArgumentException("value: blank (expected a join token)");
    }
  }

  /** The secret value, to hand to the workload once. */
  public String reveal() {
    return value;
  }

  public SpiffeId spiffeId() {
    return spiffeId;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public String toString() {
    return "JoinToken{" + spiffeId + ", expiresAt=" + expiresAt + ", value=***}";
  }
}
