package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Checks a whole stored log offline, streaming: every record's checksum and sequence, every leaf
 * hash, the hash chain, and every checkpoint's root, chain head and Ed25519 signature. It names the
 * first bad record: an edited record by its own sequence, a removed one by the gap it leaves, a
 * swapped pair by the first of the two. Memory stays O(log n): the Merkle roots come from the
 * compact range of complete subtrees ("frontier") as records stream by.
 */
public final class AuditLogVerifier {
  private static final long PROGRESS_EVERY = 1 << 16;

  private AuditLogVerifier() {}

  /** Told how far verification got, now and then. */
  @FunctionalInterface
  public interface ProgressListener {
    void recordsChecked(long records);

    /** A listener that ignores progress. */
    static ProgressListener none() {
      return records -> {};
    }
  }

  /**
   * Verifies the file store in {@code dir} (it may be open: only what is on disk is checked).
   *
   * @throws AuditException {@code READ_FAILED} if the files cannot be read
   */
  public static VerificationReport verify(
      Path dir, PublicKey checkpointKey, ProgressListener progress) {
    requireNonNull(dir, "dir");
    requireNonNull(checkpointKey, "checkpointKey");
    requireNonNull(progress, "progress");
    try {
      CheckpointFile stored = CheckpointFile.read(dir.resolve(FileAuditLog.CHECKPOINTS));
      Walk walk = new Walk(stored.heads(), checkpointKey, progress);
      if (stored.problem().isPresent()) {
        return walk.report(
            0,
            new VerificationReport.Problem(
                VerificationReport.Kind.CHECKPOINT_UNREADABLE, 0, stored.problem().get()));
      }
      List<FileAuditLog.Segment> segments = FileAuditLog.listSegments(dir);
      long torn = 0;
      for (int s = 0; s < segments.size(); s++) {
        FileAuditLog.Segment segment = segments.get(s);
        if (segment.firstSequence() != walk.next) {
          return walk.report(
              torn,
              new VerificationReport.Problem(
                  VerificationReport.Kind.SEQUENCE_GAP,
                  walk.next,
                  "segment "
                      + segment.file().getFileName()
                      + " starts at "
                      + segment.firstSequence()));
        }
        long size = Files.size(segment.file());
        try (SegmentReader reader = new SegmentReader(segment.file(), size)) {
          SegmentReader.Raw raw;
          while ((raw = reader.next()) != null) {
            VerificationReport.Problem problem =
                walk.record(raw.sequence(), raw.event(), null, raw.chain());
            if (problem != null) {
              return walk.report(torn, problem);
            }
          }
          if (reader.defect() != SegmentReader.Defect.NONE) {
            if (s == segments.size() - 1 && reader.tornTail()) {
              torn = size - reader.defectOffset();
            } else {
              return walk.report(
                  torn,
                  new VerificationReport.Problem(
                      VerificationReport.Kind.UNREADABLE_RECORD,
                      walk.next,
                      reader.defect()
                          + " at byte "
                          + reader.defectOffset()
                          + " of "
                          + segment.file().getFileName()));
            }
          }
        }
      }
      return walk.finish(torn);
    } catch (IOException e) {
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot read audit store " + dir + ": " + e, e);
    }
  }

  /**
   * Verifies the PostgreSQL store ({@link JdbcAuditLog}'s tables in {@code dataSource}'s schema);
   * besides the hashes it checks that the query columns agree with each record's hashed body.
   */
  public static VerificationReport verify(
      DataSource dataSource, PublicKey checkpointKey, ProgressListener progress) {
    requireNonNull(dataSource, "dataSource");
    requireNonNull(checkpointKey, "checkpointKey");
    requireNonNull(progress, "progress");
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      connection.setReadOnly(true);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      List<SignedTreeHead> heads = new ArrayList<>();
      try (Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT tree_size, root_hash, chain_head, time, key_id, signature FROM audit_checkpoints ORDER BY id")) {
        while (rows.next()) {
          heads.add(JdbcAuditLog.checkpoint(rows));
        }
      } catch (IllegalArgumentException e) {
        return new VerificationReport(
            0,
            0,
            0,
            0,
            Optional.of(
                new VerificationReport.Problem(
                    VerificationReport.Kind.CHECKPOINT_UNREADABLE, 0, e.getMessage())));
      }
      Walk walk = new Walk(heads, checkpointKey, progress);
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT seq, body, leaf_hash, chain_hash, event_id, time, component, action,"
                  + " outcome, subject FROM audit_records ORDER BY seq")) {
        statement.setFetchSize(4096);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            long sequence = rows.getLong(1);
            byte[] body = rows.getBytes(2);
            VerificationReport.Problem problem =
                walk.record(sequence, body, rows.getBytes(3), rows.getBytes(4));
            if (problem == null) {
              problem = columns(sequence, body, rows);
            }
            if (problem != null) {
              connection.rollback();
              return walk.report(0, problem);
            }
          }
        }
      }
      connection.rollback();
      return walk.finish(0);
    } catch (SQLException e) {
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot read the audit tables: " + e.getMessage(), e);
    }
  }

  private static VerificationReport.Problem columns(long sequence, byte[] body, ResultSet rows)
      throws SQLException {
    AuditEvent event;
    try {
      event = AuditEventCodec.decode(body);
    } catch (IllegalArgumentException e) {
      return new VerificationReport.Problem(
          VerificationReport.Kind.UNREADABLE_RECORD, sequence, e.getMessage());
    }
    Instant time = rows.getObject(6, OffsetDateTime.class).toInstant();
    boolean same =
        event.id().equals(rows.getString(5))
            && event.time().truncatedTo(ChronoUnit.MICROS).equals(time)
            && event.component().equals(rows.getString(7))
            && event.action().equals(rows.getString(8))
            && event.outcome().name().equals(rows.getString(9))
            && Objects.equals(event.subject().orElse(null), rows.getString(10));
    return same
        ? null
        : new VerificationReport.Problem(
            VerificationReport.Kind.COLUMN_MISMATCH,
            sequence,
            "a query column differs from the hashed event body");
  }

  /** The streaming state: next sequence, chain, Merkle frontier and pending checkpoints. */
  private static final class Walk {
    private final List<SignedTreeHead> heads;
    private final PublicKey key;
    private final String keyId;
    private final ProgressListener progress;
    private final List<byte[]> frontier = new ArrayList<>();
    private final List<Long> frontierSizes = new ArrayList<>();
    private long next;
    private byte[] chain = Sha256.CHAIN_START;
    private int headIndex;
    private long checkpointsChecked;

    Walk(List<SignedTreeHead> heads, PublicKey key, ProgressListener progress) {
      this.heads = heads;
      this.key = key;
      this.keyId = CheckpointSigner.keyId(key);
      this.progress = progress;
    }

    /** Checks the checkpoints of the current size; then one record. Null if all is well. */
    VerificationReport.Problem record(
        long sequence, byte[] event, byte[] storedLeaf, byte[] storedChain) {
      VerificationReport.Problem problem = checkpointsAtCurrentSize();
      if (problem != null) {
        return problem;
      }
      if (sequence != next) {
        return new VerificationReport.Problem(
            VerificationReport.Kind.SEQUENCE_GAP,
            next,
            "expected record " + next + ", found " + sequence);
      }
      byte[] leaf = Sha256.leaf(event);
      if (storedLeaf != null && !MessageDigest.isEqual(leaf, storedLeaf)) {
        return new VerificationReport.Problem(
            VerificationReport.Kind.LEAF_MISMATCH,
            next,
            "the stored leaf hash does not match the event body");
      }
      byte[] expected = Sha256.chain(chain, leaf);
      if (storedChain == null || !MessageDigest.isEqual(expected, storedChain)) {
        return new VerificationReport.Problem(
            VerificationReport.Kind.CHAIN_MISMATCH,
            next,
            "the hash chain breaks here (the record was edited, or one before it removed or"
                + " moved)");
      }
      chain = expected;
      push(leaf);
      next++;
      if (next % PROGRESS_EVERY == 0) {
        progress.recordsChecked(next);
      }
      return null;
    }

    private void push(byte[] leaf) {
      byte[] hash = leaf;
      long size = 1;
      while (!frontierSizes.isEmpty() && frontierSizes.getLast() == size) {
        hash = Sha256.node(frontier.removeLast(), hash);
        frontierSizes.removeLast();
        size *= 2;
      }
      frontier.add(hash);
      frontierSizes.add(size);
    }

    private byte[] root() {
      if (frontier.isEmpty()) {
        return Sha256.empty();
      }
      byte[] root = frontier.getLast();
      for (int i = frontier.size() - 2; i >= 0; i--) {
        root = Sha256.node(frontier.get(i), root);
      }
      return root;
    }

    private VerificationReport.Problem checkpointsAtCurrentSize() {
      while (headIndex < heads.size() && heads.get(headIndex).treeSize() == next) {
        SignedTreeHead head = heads.get(headIndex);
        if (!head.keyId().equals(keyId) || !head.verify(key)) {
          return new VerificationReport.Problem(
              VerificationReport.Kind.CHECKPOINT_SIGNATURE,
              head.treeSize(),
              "checkpoint of "
                  + head.treeSize()
                  + " records: signature invalid for key "
                  + keyId
                  + " (it names key "
                  + head.keyId()
                  + ")");
        }
        if (!TreeHash.wrap(root()).equals(head.rootHash())
            || !TreeHash.wrap(chain).equals(head.chainHead())) {
          return new VerificationReport.Problem(
              VerificationReport.Kind.CHECKPOINT_MISMATCH,
              head.treeSize(),
              "checkpoint of "
                  + head.treeSize()
                  + " records: its root or chain head differs from the records' (a record before "
                  + head.treeSize()
                  + " was changed)");
        }
        checkpointsChecked++;
        headIndex++;
      }
      return null;
    }

    VerificationReport finish(long torn) {
      VerificationReport.Problem problem = checkpointsAtCurrentSize();
      if (problem == null && headIndex < heads.size()) {
        problem =
            new VerificationReport.Problem(
                VerificationReport.Kind.MISSING_RECORDS,
                next,
                "a checkpoint covers "
                    + heads.get(headIndex).treeSize()
                    + " records, but the log ends at "
                    + next);
      }
      return report(torn, problem);
    }

    VerificationReport report(long torn, VerificationReport.Problem problem) {
      progress.recordsChecked(next);
      long lastCheckpoint = headIndex == 0 ? 0 : heads.get(headIndex - 1).treeSize();
      return new VerificationReport(
          next, checkpointsChecked, next - lastCheckpoint, torn, Optional.ofNullable(problem));
    }
  }
}
