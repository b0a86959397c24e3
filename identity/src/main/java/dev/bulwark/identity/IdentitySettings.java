package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.config.ConfigSection;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The identity provider's settings (config section {@code identity}).
 *
 * @param accessTokenTtl how long access tokens live ({@code access_token_ttl}, default 5m)
 * @param issuer the issuer URL to publish ({@code issuer}); by default the listener's own URL
 */
public record IdentitySettings(Duration accessTokenTtl, Optional<URI> issuer) {
  public IdentitySettings {
    requireNonNull(accessTokenTtl, "accessTokenTtl");
    requireNonNull(issuer, "issuer");
  }

  public static IdentitySettings defaults() {
    return new IdentitySettings(Duration.ofMinutes(5), Optional.empty());
  }

  /** Reads and validates the {@code identity} section. */
  public static IdentitySettings from(ConfigSection section) {
    return new IdentitySettings(
        section.duration(
            "access_token_ttl", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofHours(1)),
        section.httpsUrl("issuer"));
  }
}
