package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEventCodec;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL audit store: tables {@code audit_records} and {@code audit_checkpoints} (created
 * if absent). One writer per database, guarded by a session advisory lock held on the writer's own
 * connection, so sequences stay dense; each group of appends is one transaction. Event ids are
 * checked against the whole table, so a retried event is never stored twice however old.
 */
public final class JdbcAuditLog extends GroupCommitLog {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcAuditLog.class);
  private static final String DISK_FULL_STATE = "53100";
  private static final int PAGE_ROWS = 1000;
  private static final String COLUMNS =
      "SELECT seq, body, leaf_hash, chain_hash FROM audit_records";
  private static final String PAGE = COLUMNS + " WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?";
  // One fixed statement: an unset criterion is a NULL parameter that matches everything.
  private static final String QUERY =
      COLUMNS
          + " WHERE seq < ?"
          + " AND (?::text IS NULL OR subject = ?::text)"
          + " AND (?::text IS NULL OR action = ?::text)"
          + " AND (?::text IS NULL OR outcome = ?::text)"
          + " AND (?::text IS NULL OR component = ?::text)"
          + " AND (?::timestamptz IS NULL OR time >= ?::timestamptz)"
          + " AND (?::timestamptz IS NULL OR time < ?::timestamptz)"
          + " ORDER BY seq DESC LIMIT ?";

  private final DataSource dataSource;
  private final Connection writer;

  private JdbcAuditLog(
      DataSource dataSource,
      Connection writer,
      CheckpointSigner signer,
      Clock clock,
      Settings settings,
      Recovered recovered) {
    super(signer, clock, settings, recovered);
    this.dataSource = dataSource;
    this.writer = writer;
  }

  /**
   * Opens the store in {@code dataSource}'s current schema, creating its tables if absent.
   *
   * @throws AuditException {@code LOCKED} if another writer holds it, {@code CORRUPT} if the
   *     sequences, chain or latest checkpoints disagree, {@code READ_FAILED} if unreachable
   */
  public static JdbcAuditLog open(
      DataSource dataSource, CheckpointSigner signer, Clock clock, Settings settings) {
    requireNonNull(dataSource, "dataSource");
    requireNonNull(signer, "signer");
    requireNonNull(clock, "clock");
    requireNonNull(settings, "settings");
    Connection connection = null;
    try {
      connection = dataSource.getConnection();
      connection.setAutoCommit(true);
      try (PreparedStatement lock =
          connection.prepareStatement(
              "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.' || ?))")) {
        lock.setString(1, "audit_records");
        try (ResultSet result = lock.executeQuery()) {
          result.next();
          if (!result.getBoolean(1)) {
            throw new AuditException(
                AuditException.Code.LOCKED,
                "another writer holds the audit tables audit_* in this schema");
          }
        }
      }
      createTables(connection);
      Recovered recovered = recover(connection, signer, settings);
      connection.setAutoCommit(false);
      JdbcAuditLog log =
          new JdbcAuditLog(dataSource, connection, signer, clock, settings, recovered);
      log.startWriter("audit-log-writer-jdbc");
      return log;
    } catch (SQLException | AuditException e) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // Closing the session also releases the advisory lock.
        }
      }
      if (e instanceof AuditException audit) {
        throw audit;
      }
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot open the audit tables: " + e.getMessage(), e);
    }
  }

  private static void createTables(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS audit_records (seq BIGINT PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
              + " time TIMESTAMPTZ NOT NULL, component TEXT NOT NULL, action TEXT NOT NULL,"
              + " outcome TEXT NOT NULL, subject TEXT, body BYTEA NOT NULL,"
              + " leaf_hash BYTEA NOT NULL, chain_hash BYTEA NOT NULL)");
      statement.execute(
          "CREATE INDEX IF NOT EXISTS audit_records_subject ON audit_records (subject, seq)");
      statement.execute("CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time)");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS audit_checkpoints (id BIGSERIAL PRIMARY KEY, tree_size BIGINT NOT NULL,"
              + " root_hash BYTEA NOT NULL, chain_head BYTEA NOT NULL, time TIMESTAMPTZ NOT NULL,"
              + " key_id TEXT NOT NULL, signature BYTEA NOT NULL)");
    }
  }

  private static Recovered recover(
      Connection connection, CheckpointSigner signer, Settings settings) throws SQLException {
    List<SignedTreeHead> heads = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT tree_size, root_hash, chain_head, time, key_id, signature FROM audit_checkpoints ORDER BY id")) {
      while (rows.next()) {
        heads.add(checkpoint(rows));
      }
    } catch (IllegalArgumentException e) {
      throw new AuditException(AuditException.Code.CORRUPT, "checkpoint: " + e.getMessage());
    }
    Map<Long, byte[]> chainAt = new HashMap<>();
    heads.forEach(h -> chainAt.put(h.treeSize(), null));
    MerkleTree tree = new MerkleTree();
    Map<String, Long> recentIds = idempotencyWindow(settings.idempotencyWindow());
    byte[] chain = Sha256.CHAIN_START.clone();
    if (chainAt.containsKey(0L)) {
      chainAt.put(0L, chain);
    }
    connection.setAutoCommit(false);
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT seq, leaf_hash, chain_hash, event_id FROM audit_records ORDER BY seq")) {
      statement.setFetchSize(8192);
      try (ResultSet rows = statement.executeQuery()) {
        long next = 0;
        while (rows.next()) {
          long sequence = rows.getLong(1);
          if (sequence != next) {
            throw new AuditException(
                AuditException.Code.CORRUPT,
                "record " + next + ": missing (found " + sequence + " in its place)");
          }
          byte[] leaf = rows.getBytes(2);
          chain = Sha256.chain(chain, leaf);
          if (leaf.length != TreeHash.LENGTH || !MessageDigest.isEqual(chain, rows.getBytes(3))) {
            throw new AuditException(
                AuditException.Code.CORRUPT,
                "record " + next + ": hash chain broken (edited, removed or reordered)");
          }
          tree.append(leaf);
          if (settings.idempotencyWindow() > 0) {
            recentIds.put(rows.getString(4), next);
          }
          next++;
          if (chainAt.containsKey(next)) {
            chainAt.put(next, chain);
          }
        }
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
    for (SignedTreeHead head : heads) {
      if (head.treeSize() > tree.size()
          || !tree.root(head.treeSize()).equals(head.rootHash())
          || chainAt.get(head.treeSize()) == null
          || !TreeHash.wrap(chainAt.get(head.treeSize())).equals(head.chainHead())
          || (head.keyId().equals(signer.keyId()) && !head.verify(signer.publicKey()))) {
        throw new AuditException(
            AuditException.Code.CORRUPT,
            "checkpoint of "
                + head.treeSize()
                + " records does not match the "
                + tree.size()
                + " records stored (or its signature is bad)");
      }
    }
    return new Recovered(
        tree, chain, heads.isEmpty() ? Optional.empty() : Optional.of(heads.getLast()), recentIds);
  }

  static SignedTreeHead checkpoint(ResultSet rows) throws SQLException {
    return new SignedTreeHead(
        rows.getLong(1),
        TreeHash.of(rows.getBytes(2)),
        TreeHash.of(rows.getBytes(3)),
        rows.getObject(4, OffsetDateTime.class).toInstant(),
        rows.getString(5),
        rows.getBytes(6));
  }

  @Override
  Map<String, Long> lookupStored(Set<String> ids) {
    try (PreparedStatement statement =
        writer.prepareStatement(
            "SELECT event_id, seq FROM audit_records WHERE event_id = ANY(?)")) {
      Array array = writer.createArrayOf("text", ids.toArray());
      statement.setArray(1, array);
      Map<String, Long> found = new HashMap<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.put(rows.getString(1), rows.getLong(2));
        }
      }
      array.free();
      return found;
    } catch (SQLException e) {
      rollbackQuietly();
      throw failure("looking up event ids", e);
    }
  }

  @Override
  void persist(List<Entry> entries) {
    try (PreparedStatement insert =
        writer.prepareStatement(
            "INSERT INTO audit_records (seq, event_id, time, component, action, outcome, subject, body,"
                + " leaf_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Entry entry : entries) {
        insert.setLong(1, entry.sequence());
        insert.setString(2, entry.event().id());
        // Truncated here: PostgreSQL keeps microseconds but rounds the rest, which the verifier,
        // comparing the column with the hashed body, would take for an edit.
        insert.setObject(
            3,
            OffsetDateTime.ofInstant(
                entry.event().time().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                ZoneOffset.UTC));
        insert.setString(4, entry.event().component());
        insert.setString(5, entry.event().action());
        insert.setString(6, entry.event().outcome().name());
        insert.setString(7, entry.event().subject().orElse(null));
        insert.setBytes(8, entry.encoded());
        insert.setBytes(9, entry.leaf());
        insert.setBytes(10, entry.chain());
        insert.addBatch();
      }
      insert.executeBatch();
      writer.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw failure("records " + entries.getFirst().sequence() + "..", e);
    }
  }

  @Override
  void persistCheckpoint(SignedTreeHead checkpoint) {
    try (PreparedStatement insert =
        writer.prepareStatement(
            "INSERT INTO audit_checkpoints (tree_size, root_hash, chain_head, time, key_id, signature)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setLong(1, checkpoint.treeSize());
      insert.setBytes(2, checkpoint.rootHash().unsafeBytes());
      insert.setBytes(3, checkpoint.chainHead().unsafeBytes());
      insert.setObject(4, OffsetDateTime.ofInstant(checkpoint.time(), ZoneOffset.UTC));
      insert.setString(5, checkpoint.keyId());
      insert.setBytes(6, checkpoint.signature());
      insert.executeUpdate();
      writer.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw failure("checkpoint of " + checkpoint.treeSize() + " records", e);
    }
  }

  private void rollbackQuietly() {
    try {
      writer.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the log refuses appends until reopened.
    }
  }

  private static AuditException failure(String what, SQLException e) {
    return new AuditException(
        DISK_FULL_STATE.equals(e.getSQLState())
            ? AuditException.Code.DISK_FULL
            : AuditException.Code.WRITE_FAILED,
        "writing " + what + " failed: " + e.getMessage(),
        e);
  }

  @Override
  public Stream<AuditRecord> records(long from) {
    checkFrom(from);
    long end = size();
    PageIterator iterator = new PageIterator(from, end);
    return StreamSupport.stream(
        Spliterators.spliterator(iterator, end - from, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /** Up to {@code PAGE_ROWS} records from {@code from} (inclusive) to {@code end} (exclusive). */
  private List<AuditRecord> page(long from, long end) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(PAGE)) {
      statement.setLong(1, from);
      statement.setLong(2, end);
      statement.setInt(3, PAGE_ROWS);
      List<AuditRecord> records = new ArrayList<>(PAGE_ROWS);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          records.add(record(rows));
        }
      }
      return records;
    } catch (SQLException e) {
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot read audit records: " + e.getMessage(), e);
    }
  }

  @Override
  public List<AuditRecord> query(AuditQuery query) {
    requireNonNull(query, "query");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(QUERY)) {
      statement.setLong(1, size());
      Object[] criteria = {
        query.subject().orElse(null),
        query.action().orElse(null),
        query.outcome().map(Enum::name).orElse(null),
        query.component().orElse(null),
        query.from().map(JdbcAuditLog::utc).orElse(null),
        query.to().map(JdbcAuditLog::utc).orElse(null)
      };
      for (int i = 0; i < criteria.length; i++) {
        statement.setObject(2 + 2 * i, criteria[i]);
        statement.setObject(3 + 2 * i, criteria[i]);
      }
      statement.setInt(2 + 2 * criteria.length, query.limit());
      List<AuditRecord> records = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          records.add(record(rows));
        }
      }
      return records;
    } catch (SQLException e) {
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot query audit records: " + e.getMessage(), e);
    }
  }

  private static OffsetDateTime utc(java.time.Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static AuditRecord record(ResultSet rows) throws SQLException {
    return new AuditRecord(
        rows.getLong(1),
        AuditEventCodec.decode(rows.getBytes(2)),
        TreeHash.of(rows.getBytes(3)),
        TreeHash.of(rows.getBytes(4)));
  }

  @Override
  void closeStorage() {
    closeQuietly(writer);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("cannot close an audit store connection: {}", e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "JdbcAuditLog{" + size() + " records}";
  }

  /** Reads records a page at a time, so no connection stays open while the caller iterates. */
  private final class PageIterator implements Iterator<AuditRecord> {
    private final long end;
    private long next;
    private Iterator<AuditRecord> page = Collections.emptyIterator();

    PageIterator(long from, long end) {
      this.next = from;
      this.end = end;
    }

    @Override
    public boolean hasNext() {
      if (!page.hasNext() && next < end) {
        page = page(next, end).iterator();
      }
      return page.hasNext();
    }

    @Override
    public AuditRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      AuditRecord record = page.next();
      next = record.sequence() + 1;
      return record;
    }
  }
}
