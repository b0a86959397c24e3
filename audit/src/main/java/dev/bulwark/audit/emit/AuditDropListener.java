package dev.bulwark.audit.emit;

/**
 * Told when an {@link AuditEmitter} has dropped events, at most once per report interval, on the
 * emitter's monitor thread or the thread closing it (never on a thread calling {@code record}).
 */
@FunctionalInterface
public interface AuditDropListener {
  /**
   * @param dropped events dropped since the last call
   * @param totalDropped events dropped since the emitter was built
   */
  void dropped(long dropped, long totalDropped);
}
