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
 * @param refreshTokenTtl how long a refresh token family lives from the sign-in that began it
 *     ({@code refresh_token_ttl}, default 12h)
 * @param idTokenTtl how long ID tokens live ({@code id_token_ttl}, default 5m)
 * @param sessionTtl how long a sign-in session lasts at most ({@code session_ttl}, default 12h)
 * @param signingKeyRotation how often the signing keys rotate ({@code signing_key_rotation},
 *     default 30d)
 * @param lockoutThreshold failed sign-ins, per account or per source address, after which it is
 *     locked out ({@code lockout_threshold}, default 10)
 * @param lockoutDuration how long a lockout lasts ({@code lockout_duration}, default 15m)
 */
public record IdentitySettings(
    Duration accessTokenTtl,
    Optional<URI> issuer,
    Duration refreshTokenTtl,
    Duration idTokenTtl,
    Duration sessionTtl,
    Duration signingKeyRotation,
    int lockoutThreshold,
    Duration lockoutDuration) {
  public IdentitySettings {
    requireNonNull(accessTokenTtl, "accessTokenTtl");
    requireNonNull(issuer, "issuer");
    requireNonNull(refreshTokenTtl, "refreshTokenTtl");
    requireNonNull(idTokenTtl, "idTokenTtl");
    requireNonNull(sessionTtl, "sessionTtl");
    requireNonNull(signingKeyRotation, "signingKeyRotation");
    requireNonNull(lockoutDuration, "lockoutDuration");
    if (lockoutThreshold < 1) {
      throw new IllegalArgumentException(
          "lockoutThreshold: " + lockoutThreshold + " (expected: >= 1)");
    }
  }

  public static IdentitySettings defaults() {
    return new IdentitySettings(
        Duration.ofMinutes(5),
        Optional.empty(),
        Duration.ofHours(12),
        Duration.ofMinutes(5),
        Duration.ofHours(12),
        Duration.ofDays(30),
        10,
        Duration.ofMinutes(15));
  }

  /** A copy with another issuer. */
  public IdentitySettings withIssuer(URI issuer) {
    return new IdentitySettings(
        accessTokenTtl,
        Optional.of(issuer),
        refreshTokenTtl,
        idTokenTtl,
        sessionTtl,
        signingKeyRotation,
        lockoutThreshold,
        lockoutDuration);
  }

  /** Reads and validates the {@code identity} section. */
  public static IdentitySettings from(ConfigSection section) {
    IdentitySettings defaults = defaults();
    return new IdentitySettings(
        section.duration(
            "access_token_ttl",
            defaults.accessTokenTtl,
            Duration.ofSeconds(1),
            Duration.ofHours(1)),
        section.httpsUrl("issuer"),
        section.duration(
            "refresh_token_ttl",
            defaults.refreshTokenTtl,
            Duration.ofMinutes(1),
            Duration.ofDays(90)),
        section.duration(
            "id_token_ttl", defaults.idTokenTtl, Duration.ofSeconds(30), Duration.ofHours(1)),
        section.duration(
            "session_ttl", defaults.sessionTtl, Duration.ofMinutes(1), Duration.ofDays(30)),
        section.duration(
            "signing_key_rotation",
            defaults.signingKeyRotation,
            Duration.ofMinutes(1),
            Duration.ofDays(365)),
        section.integer("lockout_threshold", defaults.lockoutThreshold, 1, 1000),
        section.duration(
            "lockout_duration",
            defaults.lockoutDuration,
            Duration.ofSeconds(1),
            Duration.ofDays(1)));
  }
}
