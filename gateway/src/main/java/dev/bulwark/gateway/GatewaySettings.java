package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.config.ConfigSection;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gateway's settings that hold for its whole life (config section {@code gateway}); routes,
 * limits and issuers are read apart by {@link GatewayRoutesConfig}, since they reload.
 *
 * @param clockSkew tolerated clock difference for token lifetimes ({@code clock_skew}, default 30s)
 * @param upstreamTimeout how long to wait for an upstream unless a route says otherwise ({@code
 *     upstream_timeout}, default 10s)
 * @param maxBodyBytes the largest request body any route accepts ({@code max_body_bytes}, default 1
 *     MiB)
 * @param redisUrl where rate limits are shared between gateway instances ({@code
 *     rate_limit_store.redis_url}, e.g. {@code redis://127.0.0.1:6379}); empty keeps them in this
 *     instance's memory
 * @param redisTimeout how long a rate-limit check may wait for Redis before the route's {@code
 *     on_store_failure} decides ({@code rate_limit_store.command_timeout}, default 50ms)
 * @param reloadInterval how often the config file is checked for new routes ({@code
 *     reload_interval}, default 2s)
 */
public record GatewaySettings(
    Duration clockSkew,
    Duration upstreamTimeout,
    int maxBodyBytes,
    Optional<String> redisUrl,
    Duration redisTimeout,
    Duration reloadInterval) {
  private static final Pattern REDIS_URL = Pattern.compile("rediss?://[^\\s/?#]+(/[0-9]{1,2})?");

  public GatewaySettings {
    requireNonNull(clockSkew, "clockSkew");
    requireNonNull(upstreamTimeout, "upstreamTimeout");
    requireNonNull(redisUrl, "redisUrl");
    requireNonNull(redisTimeout, "redisTimeout");
    requireNonNull(reloadInterval, "reloadInterval");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 1)");
    }
  }

  /** Local rate limits, and the other settings as given. */
  public GatewaySettings(Duration clockSkew, Duration upstreamTimeout, int maxBodyBytes) {
    this(
        clockSkew,
        upstreamTimeout,
        maxBodyBytes,
        Optional.empty(),
        Duration.ofMillis(50),
        Duration.ofSeconds(2));
  }

  public static GatewaySettings defaults() {
    return new GatewaySettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 1024 * 1024);
  }

  /** Reads and validates the {@code gateway} section. */
  public static GatewaySettings from(ConfigSection section) {
    ConfigSection store = section.section("rate_limit_store");
    return new GatewaySettings(
        section.duration(
            "clock_skew", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5)),
        section.duration(
            "upstream_timeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        section.integer("max_body_bytes", 1024 * 1024, 1, 64 * 1024 * 1024),
        store.optionalString("redis_url", REDIS_URL, "a Redis URL such as redis://127.0.0.1:6379"),
        store.duration(
            "command_timeout", Duration.ofMillis(50), Duration.ofMillis(1), Duration.ofSeconds(5)),
        section.duration(
            "reload_interval",
            Duration.ofSeconds(2),
            Duration.ofMillis(100),
            Duration.ofMinutes(10)));
  }
}
