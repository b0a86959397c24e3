package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * One rate limit applied to a route.
 *
 * @param name the policy's name in the {@code RateLimit} headers and in the store's keys, {@code
 *     [a-z0-9_-]+}
 * @param bucket the bucket every key gets
 * @param key what the bucket is counted per
 * @param onStoreFailure what a shared limiter does while its store is unreachable
 */
public record RateLimitRule(
    String name, TokenBucket bucket, LimitKey key, StoreFailure onStoreFailure) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

  public RateLimitRule {
    requireNonNull(name, "name");
    requireNonNull(bucket, "bucket");
    requireNonNull(key, "key");
    requireNonNull(onStoreFailure, "onStoreFailure");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: \"" + name + "\" (expected: 1 to 64 of [a-z0-9_-])");
    }
  }
}
