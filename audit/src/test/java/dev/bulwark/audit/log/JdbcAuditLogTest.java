package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PostgreSQL store against the real server: behaviour, and attacks by UPDATE and DELETE. */
class JdbcAuditLogTest {
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate();
  private static final Clock CLOCK = Clock.fixed(TestAuditEvents.START, ZoneOffset.UTC);
  private static final AuditLog.Settings SETTINGS =
      AuditLog.Settings.builder().checkpointInterval(Duration.ofHours(1)).build();

  private TestPostgres.Schema schema;

  @BeforeEach
  void createSchema() {
    schema = TestPostgres.freshSchema();
  }

  @AfterEach
  void dropSchema() {
    schema.close();
  }

  private JdbcAuditLog open() {
    return JdbcAuditLog.open(schema.dataSource(), SIGNER, CLOCK, SETTINGS);
  }

  private VerificationReport verify() {
    return AuditLogVerifier.verify(schema.dataSource(), SIGNER.publicKey(), r -> {});
  }

  private void writeTwenty() {
    try (JdbcAuditLog log = open()) {
      log.append(TestAuditEvents.events(0, 20)).join();
    }
  }

  private void assertProblem(VerificationReport.Kind kind, long sequence) {
    VerificationReport report = verify();
    assertThat(report.problem())
        .hasValueSatisfying(
            p -> {
              assertThat(p.kind()).isEqualTo(kind);
              assertThat(p.sequence()).isEqualTo(sequence);
            });
  }

  private void assertOpenRefused(String naming) {
    assertThatThrownBy(this::open)
        .isInstanceOfSatisfying(
            AuditException.class, e -> assertThat(e.code()).isEqualTo(AuditException.Code.CORRUPT))
        .hasMessageContaining(naming);
  }

  @Test
  void eventTimesWithNanosecondsVerifyAfterPostgresqlKeepsMicroseconds() {
    // PostgreSQL rounds to microseconds: .123456789 would become .123457, not the hashed .123456.
    AuditEvent precise =
        AuditEvent.builder("ca", "svid.issue", AuditEvent.Outcome.SUCCESS)
            .time(java.time.Instant.parse("2026-11-23T10:00:00.123456789Z"))
            .build();
    try (JdbcAuditLog log = open()) {
      log.append(precise).join();
    }

    assertThat(verify().intact()).isTrue();
  }

  @Test
  void appendsReadsQueriesAndProvesFromPostgres() {
    try (JdbcAuditLog log = open()) {
      assertThat(log.append(TestAuditEvents.events(0, 30)).join()).hasSize(30).endsWith(29L);
      try (Stream<AuditRecord> records = log.records(28)) {
        assertThat(records.map(r -> r.event().id())).containsExactly("event-28", "event-29");
      }
      List<AuditRecord> found =
          log.query(
              AuditQuery.builder()
                  .subject("user-0")
                  .action("login")
                  .from(TestAuditEvents.START.plusSeconds(5))
                  .to(TestAuditEvents.START.plusSeconds(25))
                  .build());
      assertThat(found).extracting(AuditRecord::sequence).containsExactly(24L, 18L, 12L, 6L);
      assertThat(
              log.query(AuditQuery.builder().outcome(AuditEvent.Outcome.DENIED).limit(2).build()))
          .extracting(AuditRecord::sequence)
          .containsExactly(25L, 20L);
      SignedTreeHead head = log.checkpoint();
      assertThat(head.treeSize()).isEqualTo(30);
      assertThat(
              log.prove(7, 30)
                  .verify(
                      dev.bulwark.audit.AuditEventCodec.encode(TestAuditEvents.event(7)),
                      head.rootHash()))
          .isTrue();
    }
    try (JdbcAuditLog log = open()) {
      assertThat(log.size()).isEqualTo(30);
      assertThat(log.append(TestAuditEvents.event(30)).join()).isEqualTo(30L);
    }
    VerificationReport report = verify();
    assertThat(report.intact()).isTrue();
    assertThat(report.recordsChecked()).isEqualTo(31);
    assertThat(report.checkpointsChecked()).isEqualTo(2);
  }

  @Test
  void storesARetriedEventOnceEvenBeyondTheWindow() {
    AuditLog.Settings noWindow = AuditLog.Settings.builder().idempotencyWindow(0).build();
    try (JdbcAuditLog log = JdbcAuditLog.open(schema.dataSource(), SIGNER, CLOCK, noWindow)) {
      log.append(TestAuditEvents.events(0, 3)).join();

      assertThat(log.append(TestAuditEvents.events(1, 4)).join()).containsExactly(1L, 2L, 3L, 4L);
      assertThat(log.size()).isEqualTo(5);
    }
  }

  @Test
  void manyProducersGetDenseUniqueSequences() {
    try (JdbcAuditLog log = open()) {
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int base = t * 250;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < 250; i++) {
                        CompletableFuture<Long> future =
                            log.append(TestAuditEvents.event(base + i));
                        synchronized (futures) {
                          futures.add(future);
                        }
                      }
                    }));
      }
      threads.forEach(
          thread -> {
            try {
              thread.join();
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          });
      Set<Long> sequences = new HashSet<>();
      futures.forEach(f -> sequences.add(f.join()));
      assertThat(sequences)
          .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 1000).boxed().toList());
    }
    assertThat(verify().intact()).isTrue();
  }

  @Test
  void refusesASecondWriterOnTheSameTables() {
    try (JdbcAuditLog log = open()) {
      assertThat(log.size()).isZero();
      assertThatThrownBy(this::open)
          .isInstanceOfSatisfying(
              AuditException.class,
              e -> assertThat(e.code()).isEqualTo(AuditException.Code.LOCKED));
    }
    try (JdbcAuditLog log = open()) {
      assertThat(log.size()).isZero();
    }
  }

  @Test
  void detectsAnUpdatedBody() {
    writeTwenty();
    schema.execute(
        "UPDATE audit_records SET body = convert_to(replace(convert_from(body, 'UTF8'),"
            + " 'user-1', 'user-2'), 'UTF8') WHERE seq = 7");

    assertProblem(VerificationReport.Kind.LEAF_MISMATCH, 7);
  }

  @Test
  void detectsAnUpdateWithRecomputedLeafAndChain() {
    writeTwenty();
    // Rewriting one event with its leaf and chain recomputed still breaks the chain at the next.
    schema.execute(
        "UPDATE audit_records SET body = convert_to(replace(convert_from(body, 'UTF8'),"
            + " 'user-1', 'user-2'), 'UTF8') WHERE seq = 7;"
            + " UPDATE audit_records SET subject = 'user-2',"
            + " leaf_hash = sha256('\\x00'::bytea || body) WHERE seq = 7;"
            + " UPDATE audit_records r SET chain_hash = sha256(p.chain_hash || r.leaf_hash)"
            + " FROM audit_records p WHERE r.seq = 7 AND p.seq = 6");

    assertProblem(VerificationReport.Kind.CHAIN_MISMATCH, 8);
    assertOpenRefused("record 8");
  }

  @Test
  void detectsAChangedQueryColumn() {
    writeTwenty();
    schema.execute("UPDATE audit_records SET subject = 'someone-else' WHERE seq = 4");

    assertProblem(VerificationReport.Kind.COLUMN_MISMATCH, 4);
  }

  @Test
  void detectsADeletedRow() {
    writeTwenty();
    schema.execute("DELETE FROM audit_records WHERE seq = 11");

    assertProblem(VerificationReport.Kind.SEQUENCE_GAP, 11);
    assertOpenRefused("record 11");
  }

  @Test
  void detectsTwoSwappedRows() {
    writeTwenty();
    schema.execute(
        "UPDATE audit_records SET seq = -1 WHERE seq = 3;"
            + " UPDATE audit_records SET seq = 3 WHERE seq = 4;"
            + " UPDATE audit_records SET seq = 4 WHERE seq = -1");

    assertProblem(VerificationReport.Kind.CHAIN_MISMATCH, 3);
    assertOpenRefused("record 3");
  }

  @Test
  void detectsDeletedNewestRowsACheckpointCovers() {
    writeTwenty();
    schema.execute("DELETE FROM audit_records WHERE seq >= 15");

    assertProblem(VerificationReport.Kind.MISSING_RECORDS, 15);
    assertOpenRefused("checkpoint of 20 records");
  }

  @Test
  void detectsAForgedCheckpoint() {
    writeTwenty();
    schema.execute("UPDATE audit_checkpoints SET tree_size = 19");

    assertProblem(VerificationReport.Kind.CHECKPOINT_SIGNATURE, 19);
  }
}
