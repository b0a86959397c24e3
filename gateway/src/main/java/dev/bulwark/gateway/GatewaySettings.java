package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.config.ConfigSection;
import java.time.Duration;

/**
 * The gateway's settings (config section {@code gateway}).
 *
 * @param clockSkew tolerated clock difference for token lifetimes ({@code clock_skew}, default 30s)
 * @param upstreamTimeout how long to wait for an upstream ({@code upstream_timeout}, default 10s)
 * @param maxBodyBytes the largest request body accepted ({@code max_body_bytes}, default 1 MiB)
 */
public record GatewaySettings(Duration clockSkew, Duration upstreamTimeout, int maxBodyBytes) {
  public GatewaySettings {
    requireNonNull(clockSkew, "clockSkew");
    requireNonNull(upstreamTimeout, "upstreamTimeout");
  }

  public static GatewaySettings defaults() {
    return new GatewaySettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024 * 1024);
  }

  /** Reads and validates the {@code gateway} section. */
  public static GatewaySettings from(ConfigSection section) {
    return new GatewaySettings(
        section.duration(
            "clock_skew", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5)),
        section.duration(
            "upstream_timeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        section.integer("max_body_bytes", 1024 * 1024, 1, 64 * 1024 * 1024));
  }
}
