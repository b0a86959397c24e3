package dev.bulwark.identity.internal;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.RequestIds;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;

/** The identity component's audit events about an HTTP request: when, from where, which request. */
public final class RequestAudit {
  private RequestAudit() {}

  public static AuditEvent.Builder event(
      Clock clock, ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return AuditEvent.builder("identity", action, outcome)
        .time(clock.instant())
        .sourceAddress(PeerAddress.of(req.remotePeer()))
        .requestId(RequestIds.current().orElse("-"));
  }
}
