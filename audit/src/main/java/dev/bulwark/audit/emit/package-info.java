/**
 * Sending a service's audit events to the central collector: {@link
 * dev.bulwark.audit.emit.AuditEmitter} (never blocks the caller, bounded buffer, batches, retries
 * with backoff, counts and reports every drop) over an {@link
 * dev.bulwark.audit.emit.AuditTransport}, normally {@link
 * dev.bulwark.audit.emit.HttpAuditTransport} (NDJSON over mutual TLS 1.3). See docs/audit-events.md
 * for the collector's contract.
 */
package dev.bulwark.audit.emit;
