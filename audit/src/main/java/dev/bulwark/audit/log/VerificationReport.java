package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What {@link AuditLogVerifier} found: how much it checked and the first problem, if any. A torn
 * tail (bytes of a record a crash cut short) is reported but is no problem by itself: such a record
 * was never acknowledged, unless a checkpoint covers it, which is reported as missing records.
 */
public record VerificationReport(
    long recordsChecked,
    long checkpointsChecked,
    long recordsAfterLastCheckpoint,
    long tornTailBytes,
    Optional<Problem> problem) {
  public VerificationReport {
    requireNonNull(problem, "problem");
  }

  /** Whether every record, the chain and every checkpoint checked out. */
  public boolean intact() {
    return problem.isEmpty();
  }

  /** The first problem: its kind, the sequence it concerns and what was seen. */
  public record Problem(Kind kind, long sequence, String detail) {
    public Problem {
      requireNonNull(kind, "kind");
      requireNonNull(detail, "detail");
    }
  }

  /** Kinds of problem. */
  public enum Kind {
    /** A record cannot be read: bad length or checksum (edited bytes). */
    UNREADABLE_RECORD,
    /** The record at this position carries another sequence (removed or reordered records). */
    SEQUENCE_GAP,
    /** The stored leaf hash does not match the event bytes (database store). */
    LEAF_MISMATCH,
    /** The hash chain breaks at this record (edited, removed or reordered records). */
    CHAIN_MISMATCH,
    /** A stored column disagrees with the hashed event body (database store). */
    COLUMN_MISMATCH,
    /** A checkpoint covers records that are not there (records removed or cut off). */
    MISSING_RECORDS,
    /** A checkpoint's root or chain head disagrees with the records it covers. */
    CHECKPOINT_MISMATCH,
    /** A checkpoint's signature is invalid or by another key. */
    CHECKPOINT_SIGNATURE,
    /** The checkpoints cannot be read. */
    CHECKPOINT_UNREADABLE
  }
}
