package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's targets in round robin, with passive health checking: a target that fails {@code
 * ejectAfter} times in a row is left out for {@code ejectFor}, then gets traffic again (so even the
 * last target is never out for good).
 */
public final class UpstreamTargets {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTargets.class);

  private final String route;
  private final List<Target> targets;
  private final int ejectAfter;
  private final Duration ejectFor;
  private final Clock clock;
  private int next;
  private long ejections;

  /** The targets of {@code route} (the name is for logs only). */
  public UpstreamTargets(
      String route, List<URI> targets, int ejectAfter, Duration ejectFor, Clock clock) {
    this.route = requireNonNull(route, "route");
    this.ejectFor = requireNonNull(ejectFor, "ejectFor");
    this.clock = requireNonNull(clock, "clock");
    this.ejectAfter = ejectAfter;
    List<Target> all = new ArrayList<>();
    for (URI uri : targets) {
      all.add(new Target(uri));
    }
    this.targets = List.copyOf(all);
  }

  /**
   * The next target in rotation that is not ejected, preferring one not in {@code tried} (a retry
   * goes elsewhere when it can); empty when every target is ejected.
   */
  public synchronized Optional<URI> next(Collection<URI> tried) {
    Instant now = clock.instant();
    Optional<URI> fallback = Optional.empty();
    for (int i = 0; i < targets.size(); i++) {
      Target candidate = targets.get(Math.floorMod(next + i, targets.size()));
      if (now.isBefore(candidate.ejectedUntil)) {
        continue;
      }
      if (!tried.contains(candidate.uri)) {
        // Only a request's first pick moves the rotation, so retries do not skew the balance.
        if (tried.isEmpty()) {
          next = Math.floorMod(next + i + 1, targets.size());
        }
        return Optional.of(candidate.uri);
      }
      if (fallback.isEmpty()) {
        fallback = Optional.of(candidate.uri);
      }
    }
    return fallback;
  }

  /** {@code uri} answered. */
  public synchronized void succeeded(URI uri) {
    target(uri).consecutiveFailures = 0;
  }

  /** {@code uri} failed (no connection, a timeout, or 502/503/504). */
  public synchronized void failed(URI uri) {
    Target target = target(uri);
    target.consecutiveFailures++;
    if (target.consecutiveFailures >= ejectAfter) {
      target.consecutiveFailures = 0;
      target.ejectedUntil = clock.instant().plus(ejectFor);
      ejections++;
      LOG.warn("route {}: target {} ejected for {}", route, uri, ejectFor);
    }
  }

  /** How many times a target was ejected. */
  public synchronized long ejections() {
    return ejections;
  }

  /** How many targets are ejected now. */
  public synchronized int ejected() {
    Instant now = clock.instant();
    return (int) targets.stream().filter(t -> now.isBefore(t.ejectedUntil)).count();
  }

  private Target target(URI uri) {
    for (Target target : targets) {
      if (target.uri.equals(uri)) {
        return target;
      }
    }
    throw new IllegalArgumentException(
        "uri: " + uri + " (expected: one of " + route + "'s targets)");
  }

  private static final class Target {
    private final URI uri;
    private int consecutiveFailures;
    private Instant ejectedUntil = Instant.MIN;

    private Target(URI uri) {
      this.uri = uri;
    }
  }
}
