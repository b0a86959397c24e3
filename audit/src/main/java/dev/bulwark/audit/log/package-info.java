/**
 * The tamper-evident, append-only audit store: records linked by a hash chain and the leaves of an
 * RFC 6962 Merkle tree, with Ed25519-signed tree heads as checkpoints, so a record's inclusion can
 * be proven and any edit, removal or reordering is detected by {@link
 * dev.bulwark.audit.log.AuditLogVerifier}. {@link dev.bulwark.audit.log.FileAuditLog} stores it in
 * segment files, {@link dev.bulwark.audit.log.JdbcAuditLog} in PostgreSQL.
 */
package dev.bulwark.audit.log;
