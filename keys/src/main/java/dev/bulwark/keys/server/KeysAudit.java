package dev.bulwark.keys.server;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.time.Clock;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys service's audit events: one per request, with the action ({@code keys.encrypt}, {@code
 * keys.ring.rotate}...), outcome, caller, ring, version and reason. Never the data: no plaintext,
 * ciphertext, associated data or key.
 */
final class KeysAudit {
  static final String COMPONENT = "keys";
  private static final Logger LOG = LoggerFactory.getLogger(KeysAudit.class);

  private final AuditSink sink;
  private final Clock clock;

  KeysAudit(AuditSink sink, Clock clock) {
    this.sink = requireNonNull(sink, "sink");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One request's record. */
  void record(
      String action,
      AuditEvent.Outcome outcome,
      String workload,
      String ring,
      OptionalInt version,
      String reason,
      String sourceAddress,
      String requestId) {
    AuditEvent.Builder event =
        AuditEvent.builder(COMPONENT, action, outcome)
            .time(clock.instant())
            .workload(workload)
            .resource("ring/" + ring)
            .attribute("ring", ring)
            .reason(reason)
            .sourceAddress(sourceAddress)
            .requestId(requestId);
    version.ifPresent(v -> event.attribute("version", Integer.toString(v)));
    try {
      sink.emit(event.build());
    } catch (RuntimeException e) {
      // The answer has been decided; a failing sink is an operations alarm, not the caller's error.
      LOG.error("cannot emit audit event {} {}: {}", action, outcome, e.toString());
    }
  }
}
