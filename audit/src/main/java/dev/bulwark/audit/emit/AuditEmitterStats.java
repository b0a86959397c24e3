package dev.bulwark.audit.emit;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A snapshot of an {@link AuditEmitter}'s counters, for gauges and health checks. {@code emitted}
 * counts every event handed to the emitter plus the {@code audit.dropped} events it made itself;
 * each ends up delivered, dropped or still pending.
 *
 * @param emitted events recorded
 * @param delivered events the collector acknowledged
 * @param dropped events lost: buffer full, refused by the collector, or left at close
 * @param retries deliveries tried again after a retryable failure
 * @param pending events buffered or in flight
 * @param lastError the last delivery failure ({@code code: message}), if any
 */
public record AuditEmitterStats(
    long emitted,
    long delivered,
    long dropped,
    long retries,
    long pending,
    Optional<String> lastError) {
  public AuditEmitterStats {
    requireNonNull(lastError, "lastError");
  }
}
