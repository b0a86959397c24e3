package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The tamper-evident, append-only audit store: records numbered densely from 0, each linked to the
 * previous by a hash chain, all leaves of a Merkle tree (RFC 6962) whose heads are signed
 * periodically. An appended event is acknowledged only once it is durable.
 *
 * <p>Implementations: {@link FileAuditLog} (embedded segment files) and {@link JdbcAuditLog}
 * (PostgreSQL). Verify a stored log offline with {@link AuditLogVerifier}.
 */
public interface AuditLog extends AutoCloseable {
  /**
   * Appends {@code events} in order; the future completes with their sequences once they are
   * durable (fsync'd or committed), or exceptionally with an {@link AuditException} ({@code
   * DISK_FULL}, {@code WRITE_FAILED}) in which case none of them was acknowledged. An event whose
   * id was stored within the idempotency window is not stored again: its existing sequence is
   * returned.
   *
   * @throws AuditException {@code CLOSED}, {@code OVERLOADED} (retry later) or, after a write
   *     failure, {@code DISK_FULL}/{@code WRITE_FAILED} until the log is reopened
   */
  CompletableFuture<List<Long>> append(List<AuditEvent> events);

  /** Appends one event; see {@link #append(List)}. */
  default CompletableFuture<Long> append(AuditEvent event) {
    return append(List.of(requireNonNull(event, "event"))).thenApply(List::getFirst);
  }

  /** How many records are durable (the next sequence). */
  long size();

  /** The newest checkpoint, if any was made. */
  Optional<SignedTreeHead> latestCheckpoint();

  /** Signs and stores a checkpoint of every record durable now, and returns it. */
  SignedTreeHead checkpoint();

  /**
   * The durable records from {@code from} on, in order, read from storage; close the stream.
   *
   * @throws AuditException {@code INVALID_ARGUMENT} if {@code from} is beyond {@link #size()}
   */
  Stream<AuditRecord> records(long from);

  /** The records matching {@code query}, newest first. */
  List<AuditRecord> query(AuditQuery query);

  /**
   * The audit path of record {@code sequence} in the tree of the first {@code treeSize} records.
   */
  InclusionProof prove(long sequence, long treeSize);

  /** That the tree of {@code oldSize} records is a prefix of that of {@code newSize} records. */
  ConsistencyProof proveConsistency(long oldSize, long newSize);

  /** Writes everything pending, makes a last checkpoint if records came since the previous one. */
  @Override
  void close();

  /** Typed settings of a log, with defaults. */
  record Settings(
      long checkpointEveryRecords,
      Duration checkpointInterval,
      int idempotencyWindow,
      int maxPendingEvents,
      int maxBatchEvents,
      long segmentBytes) {
    public Settings {
      requireNonNull(checkpointInterval, "checkpointInterval");
    }

    public static Builder builder() {
      return new Builder();
    }

    /** The defaults. */
    public static Settings defaults() {
      return builder().build();
    }

    /** Builds settings. */
    public static final class Builder {
      private long checkpointEveryRecords = 10_000;
      private Duration checkpointInterval = Duration.ofSeconds(10);
      private int idempotencyWindow = 100_000;
      private int maxPendingEvents = 1_000_000;
      private int maxBatchEvents = 50_000;
      private long segmentBytes = 64L * 1024 * 1024;

      private Builder() {}

      /** A checkpoint after this many new records (default 10,000). */
      public Builder checkpointEveryRecords(long records) {
        if (records < 1) {
          throw new IllegalArgumentException(
              "checkpointEveryRecords: " + records + " (expected: >= 1)");
        }
        this.checkpointEveryRecords = records;
        return this;
      }

      /** A checkpoint at least this often while records arrive (default 10 s). */
      public Builder checkpointInterval(Duration interval) {
        requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
          throw new IllegalArgumentException(
              "checkpointInterval: " + interval + " (expected: > 0)");
        }
        this.checkpointInterval = interval;
        return this;
      }

      /**
       * How many of the newest event ids are remembered to store a retried event once (default
       * 100,000). {@link JdbcAuditLog} also checks older ids against the database.
       */
      public Builder idempotencyWindow(int events) {
        if (events < 0) {
          throw new IllegalArgumentException("idempotencyWindow: " + events + " (expected: >= 0)");
        }
        this.idempotencyWindow = events;
        return this;
      }

      /** Appends are refused with {@code OVERLOADED} beyond this many unwritten events. */
      public Builder maxPendingEvents(int events) {
        if (events < 1) {
          throw new IllegalArgumentException("maxPendingEvents: " + events + " (expected: >= 1)");
        }
        this.maxPendingEvents = events;
        return this;
      }

      /** The most events written (and fsync'd) as one group (default 50,000). */
      public Builder maxBatchEvents(int events) {
        if (events < 1) {
          throw new IllegalArgumentException("maxBatchEvents: " + events + " (expected: >= 1)");
        }
        this.maxBatchEvents = events;
        return this;
      }

      /** A new segment file is started once the current one reaches this size (default 64 MiB). */
      public Builder segmentBytes(long bytes) {
        if (bytes < 4096) {
          throw new IllegalArgumentException("segmentBytes: " + bytes + " (expected: >= 4096)");
        }
        this.segmentBytes = bytes;
        return this;
      }

      public Settings build() {
        return new Settings(
            checkpointEveryRecords,
            checkpointInterval,
            idempotencyWindow,
            maxPendingEvents,
            maxBatchEvents,
            segmentBytes);
      }
    }
  }
}
