package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;

/**
 * One stored event: its position in the log, the event, its Merkle leaf hash ({@code H(0x00 ||
 * encoded event)}) and the hash-chain value after it.
 */
public record AuditRecord(long sequence, AuditEvent event, TreeHash leafHash, TreeHash chainHash) {
  public AuditRecord {
    requireNonNull(event, "event");
    requireNonNull(leafHash, "leafHash");
    requireNonNull(chainHash, "chainHash");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence: " + sequence + " (expected: >= 0)");
    }
  }
}
