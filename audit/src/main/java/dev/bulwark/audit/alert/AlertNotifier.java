package dev.bulwark.audit.alert;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Where alerts go. {@link #send} is called on the thread that observed the event, so it must not
 * block: a notifier that does I/O queues the alert (as {@link WebhookAlertNotifier} does).
 */
@FunctionalInterface
public interface AlertNotifier {
  void send(Alert alert);

  /**
   * Writes each alert as one line of the {@code bulwark.alert} log, WARN or ERROR by severity, its
   * fields and details as key-values.
   */
  static AlertNotifier log() {
    Logger log = LoggerFactory.getLogger("bulwark.alert");
    return alert -> {
      LoggingEventBuilder line =
          (alert.severity() == Alert.Severity.CRITICAL ? log.atError() : log.atWarn())
              .addKeyValue("rule", alert.rule())
              .addKeyValue("severity", alert.severity().name())
              .addKeyValue("key", alert.key())
              .addKeyValue("time", alert.time().toString());
      alert.details().forEach(line::addKeyValue);
      line.log("alert {} {}: {}", alert.severity(), alert.rule(), alert.message());
    };
  }

  /**
   * Sends each alert to every one of {@code notifiers} in turn; one that fails does not keep the
   * alert from the others.
   */
  static AlertNotifier all(AlertNotifier... notifiers) {
    List<AlertNotifier> targets = List.of(requireNonNull(notifiers, "notifiers"));
    Logger log = LoggerFactory.getLogger(AlertNotifier.class);
    return alert -> {
      for (AlertNotifier target : targets) {
        try {
          target.send(alert);
        } catch (RuntimeException e) {
          log.warn("alert notifier failed for {} {}", alert.rule(), alert.key(), e);
        }
      }
    };
  }
}
