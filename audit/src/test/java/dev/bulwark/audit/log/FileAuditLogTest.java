package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditLogTest {
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate();
  private static final Clock CLOCK = Clock.fixed(TestAuditEvents.START, ZoneOffset.UTC);

  @TempDir Path dir;

  private static AuditLog.Settings.Builder settings() {
    return AuditLog.Settings.builder().checkpointInterval(Duration.ofHours(1));
  }

  private FileAuditLog open(AuditLog.Settings settings) {
    return FileAuditLog.open(dir, SIGNER, CLOCK, settings);
  }

  @Test
  void appendsWithDenseSequencesFromZeroAndReadsThemBack() {
    try (FileAuditLog log = open(settings().build())) {
      assertThat(log.append(TestAuditEvents.events(0, 3)).join()).containsExactly(0L, 1L, 2L);
      assertThat(log.append(TestAuditEvents.event(3)).join()).isEqualTo(3L);
      assertThat(log.size()).isEqualTo(4);
      try (Stream<AuditRecord> records = log.records(1)) {
        assertThat(records.map(r -> r.event().id()))
            .containsExactly("event-1", "event-2", "event-3");
      }
    }
  }

  @Test
  void keepsEverythingAcrossReopenAndContinuesTheSequence() {
    try (FileAuditLog log = open(settings().build())) {
      log.append(TestAuditEvents.events(0, 5)).join();
    }
    try (FileAuditLog log = open(settings().build())) {
      assertThat(log.size()).isEqualTo(5);
      assertThat(log.latestCheckpoint()).map(SignedTreeHead::treeSize).contains(5L);
      assertThat(log.append(TestAuditEvents.event(5)).join()).isEqualTo(5L);
    }
    assertThat(AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {}).intact()).isTrue();
  }

  @Test
  void storesARetriedEventOnceAndReturnsItsSequence() {
    try (FileAuditLog log = open(settings().build())) {
      log.append(TestAuditEvents.events(0, 3)).join();

      List<Long> retried = log.append(TestAuditEvents.events(1, 4)).join();

      assertThat(retried).containsExactly(1L, 2L, 3L, 4L);
      assertThat(log.size()).isEqualTo(5);
      AuditEvent twice = TestAuditEvents.event(9);
      assertThat(log.append(List.of(twice, twice)).join()).containsExactly(5L, 5L);
    }
    try (FileAuditLog log = open(settings().build())) {
      assertThat(log.append(TestAuditEvents.event(2)).join()).isEqualTo(2L);
      assertThat(log.size()).isEqualTo(6);
    }
  }

  @Test
  void checkpointsEveryNRecordsSignedAndProvingInclusion() {
    try (FileAuditLog log = open(settings().checkpointEveryRecords(10).build())) {
      for (int i = 0; i < 25; i++) {
        log.append(TestAuditEvents.event(i)).join();
      }
      SignedTreeHead head = log.latestCheckpoint().orElseThrow();
      assertThat(head.treeSize()).isEqualTo(20);
      assertThat(head.verify(SIGNER.publicKey())).isTrue();
      assertThat(head.verify(CheckpointSigner.generate().publicKey())).isFalse();

      InclusionProof proof = log.prove(13, head.treeSize());
      byte[] encoded = dev.bulwark.audit.AuditEventCodec.encode(TestAuditEvents.event(13));
      assertThat(proof.verify(encoded, head.rootHash())).isTrue();
      assertThat(SignedTreeHead.fromJson(head.toJson())).isEqualTo(head);

      SignedTreeHead now = log.checkpoint();
      assertThat(now.treeSize()).isEqualTo(25);
      assertThat(log.proveConsistency(20, 25).verify(head.rootHash(), now.rootHash())).isTrue();
    }
  }

  @Test
  void checkpointsByTimeWhileRecordsArrive() throws Exception {
    try (FileAuditLog log =
        FileAuditLog.open(
            dir,
            SIGNER,
            Clock.systemUTC(),
            AuditLog.Settings.builder().checkpointInterval(Duration.ofMillis(50)).build())) {
      log.append(TestAuditEvents.event(0)).join();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (log.latestCheckpoint().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(log.latestCheckpoint()).map(SignedTreeHead::treeSize).contains(1L);
    }
  }

  @Test
  void queriesBySubjectActionOutcomeAndTimeNewestFirst() {
    try (FileAuditLog log = open(settings().build())) {
      log.append(TestAuditEvents.events(0, 30)).join();

      List<AuditRecord> found =
          log.query(
              AuditQuery.builder()
                  .subject("user-0")
                  .action("login")
                  .from(TestAuditEvents.START.plusSeconds(5))
                  .to(TestAuditEvents.START.plusSeconds(25))
                  .build());
      assertThat(found).extracting(AuditRecord::sequence).containsExactly(24L, 18L, 12L, 6L);

      List<AuditRecord> denied =
          log.query(AuditQuery.builder().outcome(AuditEvent.Outcome.DENIED).limit(2).build());
      assertThat(denied).extracting(AuditRecord::sequence).containsExactly(25L, 20L);
    }
  }

  @Test
  void manyThreadsGetDenseUniqueSequences() throws Exception {
    int threads = 8;
    int perThread = 500;
    try (FileAuditLog log = open(settings().checkpointEveryRecords(1000).build());
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        results.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Long>> futures = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    futures.add(log.append(TestAuditEvents.event(base + i)));
                  }
                  return futures.stream().map(CompletableFuture::join).toList();
                }));
      }
      Set<Long> sequences = new HashSet<>();
      for (Future<List<Long>> result : results) {
        sequences.addAll(result.get());
      }
      assertThat(sequences)
          .containsExactlyInAnyOrderElementsOf(
              LongStream.range(0, threads * perThread).boxed().toList());
      assertThat(log.size()).isEqualTo(threads * perThread);
    }
    assertThat(AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {}).intact()).isTrue();
  }

  @Test
  void rollsSegmentsAndVerifiesAcrossThem() throws Exception {
    try (FileAuditLog log =
        open(settings().segmentBytes(4096).checkpointEveryRecords(50).build())) {
      for (int i = 0; i < 200; i += 10) {
        log.append(TestAuditEvents.events(i, 10)).join();
      }
      try (Stream<AuditRecord> records = log.records(150)) {
        assertThat(records.count()).isEqualTo(50);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("segment-")).count())
          .isGreaterThan(3);
    }
    try (FileAuditLog log = open(settings().build())) {
      assertThat(log.size()).isEqualTo(200);
    }
    VerificationReport report = AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {});
    assertThat(report.intact()).isTrue();
    assertThat(report.recordsChecked()).isEqualTo(200);
    assertThat(report.checkpointsChecked()).isEqualTo(4);
  }

  @Test
  void refusesASecondOpenOfTheSameDirectory() {
    try (FileAuditLog log = open(settings().build())) {
      assertThat(log.size()).isZero();
      assertThatThrownBy(() -> open(settings().build()))
          .isInstanceOfSatisfying(
              AuditException.class,
              e -> assertThat(e.code()).isEqualTo(AuditException.Code.LOCKED));
    }
  }

  @Test
  void refusesAppendsAfterClose() {
    FileAuditLog log = open(settings().build());
    log.close();

    assertThatThrownBy(() -> log.append(TestAuditEvents.event(0)))
        .isInstanceOfSatisfying(
            AuditException.class, e -> assertThat(e.code()).isEqualTo(AuditException.Code.CLOSED));
  }

  @Test
  void refusesWithOverloadedInsteadOfDroppingWhenTooMuchIsPending() {
    try (FileAuditLog log = open(settings().maxPendingEvents(10).build())) {
      assertThatThrownBy(() -> log.append(TestAuditEvents.events(0, 11)))
          .isInstanceOfSatisfying(
              AuditException.class,
              e -> assertThat(e.code()).isEqualTo(AuditException.Code.INVALID_ARGUMENT));
      int refused = 0;
      List<CompletableFuture<List<Long>>> accepted = new ArrayList<>();
      for (int i = 0; i < 2000; i += 5) {
        try {
          accepted.add(log.append(TestAuditEvents.events(i, 5)));
        } catch (AuditException e) {
          assertThat(e.code()).isEqualTo(AuditException.Code.OVERLOADED);
          refused++;
        }
      }
      accepted.forEach(CompletableFuture::join);
      assertThat(log.size()).isEqualTo(accepted.size() * 5L);
      assertThat(refused + accepted.size()).isEqualTo(400);
    }
  }
}
