package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * How one route reaches its upstream: the targets it balances over, how long it waits, how often it
 * retries, and when it stops calling a failing target or the whole upstream.
 *
 * @param targets the upstream's base URLs (https, at least one, no duplicates), used round robin
 * @param connectTimeout the longest wait for a connection (TCP and TLS) to one target
 * @param requestTimeout per try: the longest wait for the answer's head and between its bytes
 * @param maxRetries further tries after a failed one, 0 to 5; only idempotent, replayable requests
 *     are retried
 * @param failureThreshold consecutive failed requests that open the route's circuit breaker
 * @param openFor how long an open breaker refuses before it lets one trial request through
 * @param ejectAfter consecutive failures of one target that take it out of rotation
 * @param ejectFor how long an ejected target stays out before it gets traffic again
 */
public record UpstreamPolicy(
    List<URI> targets,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    int failureThreshold,
    Duration openFor,
    int ejectAfter,
    Duration ejectFor) {
  public UpstreamPolicy {
    requireNonNull(targets, "targets");
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: empty (expected: at least one https URL)");
    }
    for (URI target : targets) {
      if (!"https".equals(target.getScheme()) || target.getHost() == null) {
        throw new IllegalArgumentException("targets: " + target + " (expected: an https URL)");
      }
    }
    if (new HashSet<>(targets).size() != targets.size()) {
      throw new IllegalArgumentException("targets: " + targets + " (expected: no duplicates)");
    }
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("openFor", openFor);
    positive("ejectFor", ejectFor);
    if (maxRetries < 0 || maxRetries > 5) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: 0 to 5)");
    }
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "failureThreshold: " + failureThreshold + " (expected: >= 1)");
    }
    if (ejectAfter < 1) {
      throw new IllegalArgumentException("ejectAfter: " + ejectAfter + " (expected: >= 1)");
    }
  }

  /**
   * The defaults for {@code targets}: connect within 2 s, wait {@code requestTimeout} per try, one
   * retry, the breaker opens after 5 consecutive failures for 10 s, a target is ejected after 3
   * consecutive failures for 10 s.
   */
  public static UpstreamPolicy defaults(List<URI> targets, Duration requestTimeout) {
    requireNonNull(requestTimeout, "requestTimeout");
    Duration connect =
        requestTimeout.compareTo(Duration.ofSeconds(2)) < 0
            ? requestTimeout
            : Duration.ofSeconds(2);
    return new UpstreamPolicy(
        targets, connect, requestTimeout, 1, 5, Duration.ofSeconds(10), 3, Duration.ofSeconds(10));
  }

  /** This policy with {@code maxRetries} instead. */
  public UpstreamPolicy withMaxRetries(int maxRetries) {
    return new UpstreamPolicy(
        targets,
        connectTimeout,
        requestTimeout,
        maxRetries,
        failureThreshold,
        openFor,
        ejectAfter,
        ejectFor);
  }

  /**
   * This policy with the circuit breaker opening after {@code threshold} failures for {@code
   * openFor}.
   */
  public UpstreamPolicy withBreaker(int threshold, Duration openFor) {
    return new UpstreamPolicy(
        targets,
        connectTimeout,
        requestTimeout,
        maxRetries,
        threshold,
        openFor,
        ejectAfter,
        ejectFor);
  }

  /** This policy with a target ejected after {@code after} failures for {@code ejectFor}. */
  public UpstreamPolicy withEjection(int after, Duration ejectFor) {
    return new UpstreamPolicy(
        targets,
        connectTimeout,
        requestTimeout,
        maxRetries,
        failureThreshold,
        openFor,
        after,
        ejectFor);
  }

  private static void positive(String name, Duration value) {
    requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
