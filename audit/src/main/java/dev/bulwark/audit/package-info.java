/**
 * Audit events: one schema for every security decision in the platform — who, what, the outcome and
 * why, when, from where — and the {@link dev.bulwark.audit.AuditSink} components emit them to.
 * Today events go to the {@code bulwark.audit} log; the central tamper-evident store and its
 * collector will consume the same events.
 */
package dev.bulwark.audit;
