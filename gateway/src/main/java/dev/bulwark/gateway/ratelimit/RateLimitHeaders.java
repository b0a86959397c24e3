package dev.bulwark.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  // Least first: a refusal before an allowance, then the longest wait, the fewest tokens left,
  // the longest time to full. Built once; a comparator chain per request is garbage per request.
  private static final Comparator<RateLimitDecision> MOST_RESTRICTIVE_FIRST =
      Comparator.comparing(RateLimitDecision::allowed)
          .thenComparing(Comparator.comparing(RateLimitDecision::retryAfter).reversed())
          .thenComparingLong(RateLimitDecision::remaining)
          .thenComparing(Comparator.comparing(RateLimitDecision::resetAfter).reversed());

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
    RateLimitDecision d = mostRestrictive(decisions);
    if (d == null) {
      return;
    }
    header.accept(POLICY, policy);
    // Left to javac's concatenation, which sizes the value first and fills it in one allocation.
    header.accept(
        RATE_LIMIT,
        "\"" + d.rule().name() + "\";r=" + d.remaining() + ";t=" + ceilSeconds(d.resetAfter()));
    if (!d.allowed()) {
      header.accept(RETRY_AFTER, Long.toString(Math.max(1, ceilSeconds(d.retryAfter()))));
    }
  }

  // The decision a client is most constrained by (the first, on a tie), or null if there is none:
  // a loop rather than a stream and an Optional on every request.
  private static RateLimitDecision mostRestrictive(List<RateLimitDecision> decisions) {
    RateLimitDecision binding = null;
    for (RateLimitDecision d : decisions) {
      requireNonNull(d, "decision");
      if (binding == null || MOST_RESTRICTIVE_FIRST.compare(d, binding) < 0) {
        binding = d;
      }
    }
    return binding;
  }

  private static long ceilSeconds(Duration d) {
    long seconds = d.getSeconds();
    return d.getNano() > 0 ? seconds + 1 : seconds;
  }
}
