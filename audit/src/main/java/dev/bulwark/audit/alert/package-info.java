/**
 * Alert rules over the audit stream, and where alerts go.
 *
 * <p>{@link dev.bulwark.audit.alert.AlertRules} reads these event conventions (docs/audit-events.md
 * is the full schema):
 *
 * <ul>
 *   <li><b>brute force</b> ({@code brute_force}): action {@code login} or ending in {@code .login},
 *       outcome {@code FAILURE} or {@code DENIED}; counted per {@code subject} and, separately, per
 *       {@code source_address}.
 *   <li><b>spike of 401/403</b> ({@code auth_error_spike}): any event whose attribute {@code
 *       status} is {@code 401} or {@code 403}; counted overall and per {@code source_address}.
 *   <li><b>refresh-token reuse</b> ({@code refresh_token_reuse}): action {@code token.refresh} with
 *       reason {@code refresh_token_reuse}; always alerts, critical, keyed by {@code subject} (else
 *       {@code client_id}).
 *   <li><b>certificate near expiry</b> ({@code certificate_expiry}): action {@code
 *       certificate.expiring} with attributes {@code not_after} (an ISO-8601 instant) and {@code
 *       workload} (a SPIFFE ID); critical once expired.
 *   <li><b>audit drops</b> ({@code audit_drops}): action {@code audit.dropped} with attributes
 *       {@code count}, {@code since} and {@code until}, as {@link
 *       dev.bulwark.audit.emit.AuditEmitter} sends them.
 * </ul>
 *
 * <p>Each rule alerts at most once per key per window (refresh-token reuse excepted), so an attack
 * raises one alert per account or address rather than a storm. Alert details copy only the
 * attributes named above, never tokens or other secrets. {@link
 * dev.bulwark.audit.alert.AlertNotifier#log()} writes alerts to the {@code bulwark.alert} log;
 * {@link dev.bulwark.audit.alert.WebhookAlertNotifier} posts them to an HTTPS webhook.
 */
package dev.bulwark.audit.alert;
