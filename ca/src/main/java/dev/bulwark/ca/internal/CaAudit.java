package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.ca.CaException;
import dev.bulwark.sdk.workload.SpiffeTrustManager;
import java.time.Clock;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA's audit events. Actions are stable names: {@code svid.issue}, {@code svid.renew}, {@code
 * join_token.create}, {@code revocation.create}, {@code tls.peer_refused}, and refused reads {@code
 * deny_list.read} and {@code revocation.read}. Values are never secrets: no tokens, no keys.
 */
public final class CaAudit {
  public static final String COMPONENT = "ca";
  public static final String ISSUE = "svid.issue";
  public static final String RENEW = "svid.renew";
  public static final String JOIN_TOKEN = "join_token.create";
  public static final String REVOKE = "revocation.create";
  public static final String PEER_REFUSED = "tls.peer_refused";
  public static final String READ_DENY_LIST = "deny_list.read";
  public static final String READ_REVOCATIONS = "revocation.read";

  private static final Logger LOG = LoggerFactory.getLogger(CaAudit.class);

  private final AuditSink sink;
  private final Clock clock;

  public CaAudit(AuditSink sink, Clock clock) {
    this.sink = requireNonNull(sink, "sink");
    this.clock = requireNonNull(clock, "clock");
  }

  /** {@code action} done for {@code caller}; {@code details} adds what was done. */
  public void success(String action, Caller caller, Consumer<AuditEvent.Builder> details) {
    emit(action, AuditEvent.Outcome.SUCCESS, caller, details);
  }

  /** {@code action} refused to {@code caller} because of {@code refusal}. */
  public void refused(
      String action, Caller caller, CaException refusal, Consumer<AuditEvent.Builder> details) {
    AuditEvent.Outcome outcome =
        switch (refusal.code()) {
          case ATTESTATION_FAILED, CLIENT_CERTIFICATE_REQUIRED, DENIED -> AuditEvent.Outcome.DENIED;
          default -> AuditEvent.Outcome.FAILURE;
        };
    emit(
        action,
        outcome,
        caller,
        event -> {
          details.accept(event);
          event.reason(
              refusal.code().name().toLowerCase(Locale.ROOT) + ": " + refusal.getMessage());
        });
  }

  /** A TLS peer the trust manager refused during a handshake. */
  public void peerRefused(SpiffeTrustManager.PeerRefusal refusal) {
    AuditEvent.Builder event =
        AuditEvent.builder(COMPONENT, PEER_REFUSED, AuditEvent.Outcome.DENIED)
            .time(clock.instant())
            .reason(refusal.reason())
            .attribute("role", refusal.role().name().toLowerCase(Locale.ROOT));
    refusal.peer().ifPresent(id -> event.workload(id.toString()));
    send(event.build());
  }

  private void emit(
      String action,
      AuditEvent.Outcome outcome,
      Caller caller,
      Consumer<AuditEvent.Builder> details) {
    AuditEvent.Builder event = AuditEvent.builder(COMPONENT, action, outcome).time(clock.instant());
    caller.peer().ifPresent(peer -> event.subject(peer.toString()));
    details.accept(event);
    event.sourceAddress(caller.sourceAddress());
    caller.requestId().ifPresent(event::requestId);
    send(event.build());
  }

  // A broken sink must not turn an issued certificate into a 500 the workload retries forever;
  // it is reported loudly instead.
  private void send(AuditEvent event) {
    try {
      sink.emit(event);
    } catch (RuntimeException e) {
      LOG.error("cannot emit audit event {}: {}", event, e.toString());
    }
  }
}
