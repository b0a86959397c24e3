package dev.bulwark.audit.emit;

import dev.bulwark.audit.AuditEvent;
import java.util.List;

/**
 * Carries batches of audit events to the central collector. An {@link AuditEmitter} calls it from
 * its one sender thread, one batch at a time and in order.
 */
@FunctionalInterface
public interface AuditTransport {
  /**
   * Delivers {@code events}, returning only once the collector holds them durably. A batch may be
   * delivered again after a lost acknowledgement: the collector keeps an event once per id.
   *
   * @throws AuditDeliveryException saying whether the same batch may be tried again
   */
  void deliver(List<AuditEvent> events) throws AuditDeliveryException;
}
