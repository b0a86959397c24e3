package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewrapJobTest {
  @TempDir Path directory;

  private final MasterKey master = TestMasterKeys.random();
  private final KeyRing ring = KeyRings.inMemory(master, Clock.systemUTC()).ring("bulwark.secrets");
  private final SecretSealer sealer = SecretSealer.on(ring, master);

  private Path checkpoint() {
    return directory.resolve("rewrap.checkpoint");
  }

  @Test
  void movesEveryRecordToThePrimaryVersion() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 25);
    ring.rotate();

    RewrapJob.Result result =
        RewrapJob.builder(sealer, checkpoint()).source(records).pageSize(7).build().run();

    assertThat(result).isEqualTo(new RewrapJob.Result(25, 25, 0, 0, 0));
    for (String id : records.ids()) {
      assertThat(ring.versionOf(records.get(id))).isEqualTo(2);
      assertThat(sealer.open(records.get(id), records.context(id)))
          .asString()
          .startsWith("secret ");
    }
    assertThat(checkpoint()).doesNotExist();
  }

  @Test
  void leavesCurrentRecordsAloneAndMovesLegacyOnes() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 5);
    records.put("z-legacy", master.sealer().seal(new byte[] {7}, records.context("z-legacy")));

    RewrapJob.Result result = RewrapJob.builder(sealer, checkpoint()).source(records).build().run();

    assertThat(result).isEqualTo(new RewrapJob.Result(6, 1, 5, 0, 0));
    assertThat(sealer.isCurrent(records.get("z-legacy"))).isTrue();
    assertThat(SecretSealer.on(ring).open(records.get("z-legacy"), records.context("z-legacy")))
        .containsExactly(7);
  }

  @Test
  void countsUnreadableRecordsAndCarriesOn() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 3);
    records.put("r001", new byte[] {Envelope.MAGIC, 1, 0, 0});
    records.put(
        "r002", TestMasterKeys.random().sealer().seal(new byte[] {1}, records.context("r002")));
    byte[] garbage = records.get("r001");
    ring.rotate();

    RewrapJob.Result result = RewrapJob.builder(sealer, checkpoint()).source(records).build().run();

    assertThat(result).isEqualTo(new RewrapJob.Result(3, 1, 0, 0, 2));
    assertThat(records.get("r001")).isEqualTo(garbage);
  }

  @Test
  void recordsUnderADisabledVersionAreUnreadableAndKept() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 2);
    byte[] before = records.get("r000");
    ring.rotate();
    ring.disable(1);

    RewrapJob.Result result = RewrapJob.builder(sealer, checkpoint()).source(records).build().run();

    assertThat(result.unreadable()).isEqualTo(2);
    assertThat(records.get("r000")).isEqualTo(before);
  }

  @Test
  void recordChangedMeanwhileIsAConflictAndKeepsTheNewValue() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 3);
    ring.rotate();
    byte[] written = sealer.seal(new byte[] {9}, records.context("r001"));
    SealedRecords racing =
        new Delegating(records) {
          @Override
          public boolean replace(String id, byte[] expected, byte[] replacement) {
            if (id.equals("r001")) {
              records.put(id, written);
            }
            return super.replace(id, expected, replacement);
          }
        };

    RewrapJob.Result result = RewrapJob.builder(sealer, checkpoint()).source(racing).build().run();

    assertThat(result).isEqualTo(new RewrapJob.Result(3, 2, 0, 1, 0));
    assertThat(records.get("r001")).isEqualTo(written);
  }

  @Test
  void aStoppedJobResumesWhereItStoppedAndDoesEachRecordExactlyOnce() {
    TestSealedRecords first = TestSealedRecords.sealedBy("clients", sealer, 23);
    TestSealedRecords second = TestSealedRecords.sealedBy("tokens", sealer, 11);
    ring.rotate();
    AtomicInteger seen = new AtomicInteger();
    RewrapJob.Progress stopAfterThirty =
        (source, done, total) -> {
          if (seen.incrementAndGet() == 30) {
            throw new IllegalStateException("killed");
          }
        };

    assertThatThrownBy(
            () ->
                RewrapJob.builder(sealer, checkpoint())
                    .source(first, second)
                    .pageSize(5)
                    .progress(stopAfterThirty)
                    .build()
                    .run())
        .hasMessage("killed");
    assertThat(checkpoint()).exists();
    List<long[]> resumedProgress = new ArrayList<>();
    RewrapJob.Result resumed =
        RewrapJob.builder(sealer, checkpoint())
            .source(first, second)
            .pageSize(5)
            .progress((source, done, total) -> resumedProgress.add(new long[] {done, total}))
            .build()
            .run();

    assertThat(resumed).isEqualTo(new RewrapJob.Result(4, 4, 0, 0, 0));
    assertThat(resumedProgress.getFirst()).containsExactly(8, 11);
    assertThat(resumedProgress.getLast()).containsExactly(11, 11);
    for (TestSealedRecords records : List.of(first, second)) {
      assertThat(records.ids())
          .allSatisfy(id -> assertThat(ring.versionOf(records.get(id))).isEqualTo(2));
      assertThat(records.replacements).hasSize(records.ids().size());
      assertThat(records.replacements.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }
    assertThat(checkpoint()).doesNotExist();
  }

  @Test
  void aCheckpointForAnotherPrimaryIsIgnored() {
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 10);
    ring.rotate();
    AtomicInteger seen = new AtomicInteger();
    assertThatThrownBy(
            () ->
                RewrapJob.builder(sealer, checkpoint())
                    .source(records)
                    .pageSize(2)
                    .progress(
                        (s, d, t) -> {
                          if (seen.incrementAndGet() == 4) {
                            throw new IllegalStateException("killed");
                          }
                        })
                    .build()
                    .run())
        .isInstanceOf(IllegalStateException.class);

    ring.rotate();
    RewrapJob.Result result = RewrapJob.builder(sealer, checkpoint()).source(records).build().run();

    assertThat(result.examined()).isEqualTo(10);
    assertThat(records.ids())
        .allSatisfy(id -> assertThat(ring.versionOf(records.get(id))).isEqualTo(3));
  }

  @Test
  void corruptCheckpointIsReportedWithTheFix() throws Exception {
    Files.writeString(checkpoint(), "{not json");
    TestSealedRecords records = TestSealedRecords.sealedBy("clients", sealer, 1);

    assertThatThrownBy(() -> RewrapJob.builder(sealer, checkpoint()).source(records).build().run())
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.STORE_FAILED);
              assertThat(e.getMessage()).contains("delete it");
            });
  }

  @Test
  void builderRefusesNoSourcesDuplicateNamesAndABadPageSize() {
    assertThatThrownBy(() -> RewrapJob.builder(sealer, checkpoint()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                RewrapJob.builder(sealer, checkpoint())
                    .source(new TestSealedRecords("a"), new TestSealedRecords("a"))
                    .build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RewrapJob.builder(sealer, checkpoint()).pageSize(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void movesASealedFileAndKeepsItPrivate() throws Exception {
    Path keyFile = directory.resolve("intermediate.key.sealed");
    String context = "ca/intermediate-key/1";
    Files.write(keyFile, master.sealer().seal(new byte[] {1, 2, 3}, context));
    Files.setPosixFilePermissions(
        keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    RewrapJob.Result result =
        RewrapJob.builder(sealer, checkpoint())
            .source(new FileSealedRecord(keyFile, context))
            .build()
            .run();

    assertThat(result).isEqualTo(new RewrapJob.Result(1, 1, 0, 0, 0));
    byte[] moved = Files.readAllBytes(keyFile);
    assertThat(sealer.isCurrent(moved)).isTrue();
    assertThat(SecretSealer.on(ring).open(moved, context)).containsExactly(1, 2, 3);
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    try (var files = Files.list(directory)) {
      assertThat(files).containsExactly(keyFile);
    }
  }

  @Test
  void sealedFileChangedMeanwhileIsNotReplaced() throws Exception {
    Path keyFile = directory.resolve("root.key.sealed");
    Files.write(keyFile, sealer.seal(new byte[] {1}, "ca/root-key"));
    FileSealedRecord file = new FileSealedRecord(keyFile, "ca/root-key");
    SealedRecord record = file.page(Optional.empty(), 10).getFirst();
    byte[] newer = sealer.seal(new byte[] {2}, "ca/root-key");
    Files.write(keyFile, newer);

    assertThat(file.replace(record.id(), record.sealed(), new byte[] {0})).isFalse();
    assertThat(Files.readAllBytes(keyFile)).isEqualTo(newer);
    assertThat(file.page(Optional.of(record.id()), 10)).isEmpty();
  }

  @Test
  void missingSealedFileHasNoRecords() {
    FileSealedRecord file = new FileSealedRecord(directory.resolve("absent"), "ctx");

    assertThat(file.count()).isZero();
    assertThat(file.page(Optional.empty(), 10)).isEmpty();
  }

  private static class Delegating implements SealedRecords {
    private final SealedRecords delegate;

    Delegating(SealedRecords delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public long count() {
      return delegate.count();
    }

    @Override
    public List<SealedRecord> page(Optional<String> after, int limit) {
      return delegate.page(after, limit);
    }

    @Override
    public boolean replace(String id, byte[] expected, byte[] replacement) {
      return delegate.replace(id, expected, replacement);
    }

    @Override
    public String context(String id) {
      return delegate.context(id);
    }
  }
}
