package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The response headers that tell a client its limits: {@code RateLimit-Policy} and {@code
 * RateLimit} of draft-ietf-httpapi-ratelimit-headers (structured-field lists, RFC 9651), and {@code
 * Retry-After} in seconds on a refusal (RFC 9110 section 10.2.3).
 */
public final class RateLimitHeaders {
  public static final String POLICY = "RateLimit-Policy";
  public static final String RATE_LIMIT = "RateLimit";
  public static final String RETRY_AFTER = "Retry-After";

  private RateLimitHeaders() {}

  /**
   * The {@code RateLimit-Policy} value for a route with {@code rules}: every rule once, in order,
   * whichever of them a request got as far as. Its quota {@code q} is the burst and its window
   * {@code w} the seconds an empty bucket takes to fill. Built once per route.
   */
  public static String policy(List<RateLimitRule> rules) {
    requireNonNull(rules, "rules");
    Map<String, TokenBucket> policies = new LinkedHashMap<>();
    for (RateLimitRule rule : rules) {
      policies.putIfAbsent(rule.name(), rule.bucket());
    }
    StringBuilder policy = new StringBuilder();
    policies.forEach(
        (name, bucket) -> {
          if (!policy.isEmpty()) {
            policy.append(", ");
          }
          policy
              .append('"')
              .append(name)
              .append("\";q=")
              .append(bucket.burst())
              .append(";w=")
              .append(bucket.windowSeconds());
        });
    return policy.toString();
  }

  /**
   * Writes the headers for one request: {@code policy} (from {@link #policy}) as {@code
   * RateLimit-Policy}, and for the rules applied so far, {@code decisions}, {@code RateLimit}.
   *
   * <p>{@code RateLimit} reports only the most restrictive decision (a refusal before an allowance,
   * then the fewest tokens left, then the longest wait), so a client learns the limit that binds it
   * without seeing every rule's state. Times round up to whole seconds: rounding down would invite
   * a retry that is refused again.
   *
   * @param header receives each header's name and value; nothing when {@code decisions} is empty
   */
  public static void write(
      String policy, List<RateLimitDecision> decisions, BiConsumer<String, String> header) {
    requireNonNull(policy, "policy");
    requireNonNull(decisions, "decisions");
    requireNonNull(header, "header");
    Optional<RateLimitDecision> binding = mostRestrictive(decisions);
    if (binding.isEmpty()) {
      return;
    }
    header.accept(POLICY, policy);
    RateLimitDecision d = binding.get();
    header.accept(
        RATE_LIMIT,
        "\"" + d.rule().name() + "\";r=" + d.remaining() + ";t=" + ceilSeconds(d.resetAfter()));
    if (!d.allowed()) {
      header.accept(RETRY_AFTER, Long.toString(Math.max(1, ceilSeconds(d.retryAfter()))));
    }
  }

  /** The decision a client is most constrained by, if any. */
  static Optional<RateLimitDecision> mostRestrictive(List<RateLimitDecision> decisions) {
    return decisions.stream()
        .min(
            Comparator.comparing(RateLimitDecision::allowed)
                .thenComparing(Comparator.comparing(RateLimitDecision::retryAfter).reversed())
                .thenComparingLong(RateLimitDecision::remaining)
                .thenComparing(Comparator.comparing(RateLimitDecision::resetAfter).reversed()));
  }

  private static long ceilSeconds(Duration d) {
    long seconds = d.getSeconds();
    return d.getNano() > 0 ? seconds + 1 : seconds;
  }
}
