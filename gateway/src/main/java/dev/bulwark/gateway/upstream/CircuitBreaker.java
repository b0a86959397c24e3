package dev.bulwark.gateway.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's circuit breaker: after {@code failureThreshold} consecutive failed requests it opens
 * and refuses at once for {@code openFor}, so a failing upstream is not buried under retries; then
 * it lets a single trial request through (half-open), whose outcome closes or reopens it.
 */
public final class CircuitBreaker {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

  /** The breaker's state, for metrics. */
  public enum State {
    /** Requests pass. */
    CLOSED,
    /** Requests are refused until the open period ends. */
    OPEN,
    /** One trial request passes; the others are refused until its outcome is known. */
    HALF_OPEN
  }

  private final String route;
  private final int failureThreshold;
  private final Duration openFor;
  private final Clock clock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private Instant openUntil = Instant.MIN;
  private boolean trialInFlight;
  private long openings;
  private long refusals;

  /** A closed breaker for {@code route} (the name is for logs only). */
  public CircuitBreaker(String route, int failureThreshold, Duration openFor, Clock clock) {
    this.route = requireNonNull(route, "route");
    this.openFor = requireNonNull(openFor, "openFor");
    this.clock = requireNonNull(clock, "clock");
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "failureThreshold: " + failureThreshold + " (expected: >= 1)");
    }
    this.failureThreshold = failureThreshold;
  }

  /**
   * Admits a request, or refuses it with how long the caller should wait before trying again. An
   * admitted request must end with {@link #succeeded}, {@link #failed} or {@link #released}.
   */
  public synchronized Optional<Duration> admit() {
    if (state == State.OPEN) {
      Instant now = clock.instant();
      if (now.isBefore(openUntil)) {
        refusals++;
        return Optional.of(Duration.between(now, openUntil));
      }
      transition(State.HALF_OPEN);
    }
    if (state == State.HALF_OPEN) {
      if (trialInFlight) {
        refusals++;
        return Optional.of(Duration.ofSeconds(1));
      }
      trialInFlight = true;
    }
    return Optional.empty();
  }

  /** The admitted request got an answer from the upstream. */
  public synchronized void succeeded() {
    consecutiveFailures = 0;
    trialInFlight = false;
    if (state != State.CLOSED) {
      transition(State.CLOSED);
    }
  }

  /** The admitted request failed at the upstream (no answer, a timeout, or 502/503/504). */
  public synchronized void failed() {
    consecutiveFailures++;
    boolean trial = trialInFlight;
    trialInFlight = false;
    if (trial || (state == State.CLOSED && consecutiveFailures >= failureThreshold)) {
      openUntil = clock.instant().plus(openFor);
      openings++;
      transition(State.OPEN);
    }
  }

  /** The admitted request ended without telling anything about the upstream. */
  public synchronized void released() {
    trialInFlight = false;
  }

  /** The current state; an open breaker whose period has passed still reads OPEN until asked. */
  public synchronized State state() {
    return state;
  }

  /** How many times the breaker has opened. */
  public synchronized long openings() {
    return openings;
  }

  /** How many requests the breaker refused. */
  public synchronized long refusals() {
    return refusals;
  }

  private void transition(State next) {
    LOG.warn("circuit breaker of route {}: {} -> {}", route, state, next);
    state = next;
  }
}
