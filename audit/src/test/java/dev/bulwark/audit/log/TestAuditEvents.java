package dev.bulwark.audit.log;

import dev.bulwark.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Audit events for the store's tests. */
final class TestAuditEvents {
  static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

  private TestAuditEvents() {}

  /** Event {@code i}: id {@code event-i}, one second after the previous, subject user-(i % 3). */
  static AuditEvent event(int i) {
    return AuditEvent.builder(
            "identity",
            i % 2 == 0 ? "login" : "token.issue",
            i % 5 == 0 ? AuditEvent.Outcome.DENIED : AuditEvent.Outcome.SUCCESS)
        .id("event-" + i)
        .time(START.plusSeconds(i))
        .subject("user-" + (i % 3))
        .sourceAddress("203.0.113." + (i % 250))
        .build();
  }

  static List<AuditEvent> events(int from, int count) {
    List<AuditEvent> events = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      events.add(event(i));
    }
    return events;
  }
}
