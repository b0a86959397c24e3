package dev.bulwark.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/** Where a component sends its audit events. Emitting never blocks the caller for long. */
@FunctionalInterface
public interface AuditSink {
  void emit(AuditEvent event);

  /**
   * Writes each event as one line of the {@code bulwark.audit} log, its fields as key-values (the
   * JSON log shows them as {@code kvpList}).
   */
  static AuditSink log() {
    Logger log = LoggerFactory.getLogger("bulwark.audit");
    return event -> {
      boolean success = event.outcome() == AuditEvent.Outcome.SUCCESS;
      // The line's parts are not even built when nobody reads them.
      if (success ? !log.isInfoEnabled() : !log.isWarnEnabled()) {
        return;
      }
      LoggingEventBuilder line =
          (success ? log.atInfo() : log.atWarn())
              .addKeyValue("component", event.component())
              .addKeyValue("action", event.action())
              .addKeyValue("outcome", event.outcome().name())
              .addKeyValue("time", event.time().toString());
      event.attributes().forEach(line::addKeyValue);
      line.log("audit {} {} {}", event.component(), event.action(), event.outcome());
    };
  }
}
