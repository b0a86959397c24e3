package dev.bulwark.bench;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.log.AuditLog;
import dev.bulwark.audit.log.AuditLogVerifier;
import dev.bulwark.audit.log.CheckpointSigner;
import dev.bulwark.audit.log.FileAuditLog;
import dev.bulwark.audit.log.JdbcAuditLog;
import dev.bulwark.audit.log.VerificationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Durable audit events per second into the tamper-evident store with group commit (one fsync, or
 * one transaction, per group), from 16 producer threads: each waiting for every acknowledgement, or
 * each keeping up to 512 appends in flight as an asynchronous emitter does; and how long verifying
 * a log of 1,000,000 records takes.
 *
 * <p>Run: {@code ./mvnw -q -pl bench -am -DskipTests package && java -jar
 * bench/target/benchmarks.jar AuditLogBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class AuditLogBenchmark {
  private static final AtomicLong IDS = new AtomicLong();
  private static final int BATCH = 100;

  static List<AuditEvent> batch() {
    List<AuditEvent> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      batch.add(event());
    }
    return batch;
  }

  static AuditEvent event() {
    return AuditEvent.builder("gateway", "request.authorize", AuditEvent.Outcome.SUCCESS)
        .id("bench-" + IDS.incrementAndGet())
        .subject("spiffe://bench.local/ns/shop/sa/frontend")
        .resource("/orders/42")
        .sourceAddress("10.0.0.7")
        .requestId("req-0001")
        .build();
  }

  /** A file store in a temporary directory, shared by all producer threads. */
  @State(Scope.Benchmark)
  public static class FileStore {
    Path dir;
    AuditLog log;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("audit-bench");
      log =
          FileAuditLog.open(
              dir, CheckpointSigner.generate(), Clock.systemUTC(), AuditLog.Settings.defaults());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      log.close();
      deleteTree(dir);
    }
  }

  /** The PostgreSQL store on localhost:5432 (database {@code test}), in a schema of its own. */
  @State(Scope.Benchmark)
  public static class PostgresStore {
    String schema;
    AuditLog log;

    @Setup(Level.Trial)
    public void open() throws SQLException {
      schema = "bench_audit_" + UUID.randomUUID().toString().replace("-", "");
      execute("CREATE SCHEMA " + schema);
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setURL("jdbc:postgresql://127.0.0.1:5432/test");
      dataSource.setUser("postgres");
      dataSource.setCurrentSchema(schema);
      dataSource.setReWriteBatchedInserts(true);
      log =
          JdbcAuditLog.open(
              dataSource,
              CheckpointSigner.generate(),
              Clock.systemUTC(),
              AuditLog.Settings.defaults());
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
      log.close();
      execute("DROP SCHEMA " + schema + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
      try (Connection connection =
              DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
          Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }

  /** One producer's window of appends in flight. */
  @State(Scope.Thread)
  public static class Window {
    final Semaphore inFlight = new Semaphore(512);

    @TearDown(Level.Iteration)
    public void drain() throws InterruptedException {
      inFlight.acquire(512);
      inFlight.release(512);
    }
  }

  /** Each producer appends one event and waits until it is durable. */
  @Benchmark
  @Threads(16)
  public long fileAppendWaitingForEach(FileStore store) {
    return store.log.append(event()).join();
  }

  /** Each producer keeps up to 512 appends in flight (the rate counts acknowledged ones). */
  @Benchmark
  @Threads(16)
  public void fileAppendInFlight(FileStore store, Window window) throws InterruptedException {
    window.inFlight.acquire();
    store.log.append(event()).whenComplete((sequence, failure) -> window.inFlight.release());
  }

  /**
   * Each producer appends batches of 100 events, as the collector receives them from emitters, up
   * to 512 batches in flight; the rate counts events.
   */
  @Benchmark
  @Threads(16)
  @OperationsPerInvocation(BATCH)
  public void fileAppendBatchesInFlight(FileStore store, Window window)
      throws InterruptedException {
    window.inFlight.acquire();
    store.log.append(batch()).whenComplete((sequences, failure) -> window.inFlight.release());
  }

  /** As {@link #fileAppendInFlight}, into PostgreSQL (one transaction per group). */
  @Benchmark
  @Threads(16)
  public void postgresAppendInFlight(PostgresStore store, Window window)
      throws InterruptedException {
    window.inFlight.acquire();
    store.log.append(event()).whenComplete((sequence, failure) -> window.inFlight.release());
  }

  /** As {@link #fileAppendWaitingForEach}, into PostgreSQL. */
  @Benchmark
  @Threads(16)
  public long postgresAppendWaitingForEach(PostgresStore store) {
    return store.log.append(event()).join();
  }

  /** A file store of 1,000,000 records, written once. */
  @State(Scope.Benchmark)
  public static class MillionRecords {
    static final int RECORDS = 1_000_000;
    Path dir;
    CheckpointSigner signer;

    @Setup(Level.Trial)
    public void write() throws IOException {
      dir = Files.createTempDirectory("audit-bench-verify");
      signer = CheckpointSigner.generate();
      try (AuditLog log =
          FileAuditLog.open(dir, signer, Clock.systemUTC(), AuditLog.Settings.defaults())) {
        for (int i = 0; i < RECORDS; i += 1000) {
          List<AuditEvent> batch = new ArrayList<>(1000);
          for (int j = 0; j < 1000; j++) {
            batch.add(event());
          }
          log.append(batch).join();
        }
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      deleteTree(dir);
    }
  }

  /** Verifies every record, the chain and 100 checkpoints of a 1,000,000-record log. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1, time = 1)
  @Measurement(iterations = 3, time = 1)
  public VerificationReport verifyMillionRecords(MillionRecords records) {
    VerificationReport report =
        AuditLogVerifier.verify(
            records.dir, records.signer.publicKey(), AuditLogVerifier.ProgressListener.none());
    if (!report.intact() || report.recordsChecked() != MillionRecords.RECORDS) {
      throw new IllegalStateException("verification failed: " + report);
    }
    return report;
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
