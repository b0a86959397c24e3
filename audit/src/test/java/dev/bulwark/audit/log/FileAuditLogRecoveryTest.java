package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crashes and full disks: nothing unwritten is acknowledged, and what was written survives. */
class FileAuditLogRecoveryTest {
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate();
  private static final Clock CLOCK = Clock.fixed(TestAuditEvents.START, ZoneOffset.UTC);
  private static final AuditLog.Settings SETTINGS =
      AuditLog.Settings.builder().checkpointInterval(Duration.ofHours(1)).build();

  @TempDir Path dir;

  @Test
  void cutsATornTailKeepsItAsideAndContinues() throws IOException {
    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      log.append(TestAuditEvents.events(0, 10)).join();
    }
    Path segment = dir.resolve(SegmentReader.fileName(0));
    byte[] file = Files.readAllBytes(segment);
    // A crash in the middle of writing record 10: its first 30 bytes reached the disk.
    byte[] record = Arrays.copyOfRange(file, 0, 30);
    Files.write(segment, record, StandardOpenOption.APPEND);
    assertThat(AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {}).tornTailBytes())
        .isEqualTo(30);

    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      assertThat(log.size()).isEqualTo(10);
      assertThat(log.append(TestAuditEvents.event(10)).join()).isEqualTo(10L);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(name -> name.startsWith("torn-10-"));
    }
    VerificationReport report = AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {});
    assertThat(report.intact()).isTrue();
    assertThat(report.recordsChecked()).isEqualTo(11);
  }

  @Test
  void cutsAZeroFilledTailLeftByTheFileSystem() throws IOException {
    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      log.append(TestAuditEvents.events(0, 3)).join();
    }
    Files.write(dir.resolve(SegmentReader.fileName(0)), new byte[4096], StandardOpenOption.APPEND);

    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      assertThat(log.size()).isEqualTo(3);
    }
  }

  @Test
  void reportsAFullDiskAcknowledgesNothingUnwrittenAndRefusesFurtherAppends() {
    AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    FileAuditLog.ChannelOpener opener =
        file ->
            new FullDiskChannel(
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                budget);
    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS, opener)) {
      assertThat(log.append(TestAuditEvents.events(0, 10)).join()).hasSize(10);
      budget.set(500);

      assertThatThrownBy(() -> log.append(TestAuditEvents.events(10, 10)).join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOfSatisfying(
              AuditException.class,
              e -> assertThat(e.code()).isEqualTo(AuditException.Code.DISK_FULL));
      budget.set(Long.MAX_VALUE);
      assertThatThrownBy(() -> log.append(TestAuditEvents.event(20)))
          .isInstanceOfSatisfying(
              AuditException.class,
              e -> assertThat(e.code()).isEqualTo(AuditException.Code.DISK_FULL));
      assertThat(log.size()).isEqualTo(10);
    }

    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      assertThat(log.size()).isEqualTo(10);
      assertThat(log.append(TestAuditEvents.events(10, 2)).join()).containsExactly(10L, 11L);
    }
    assertThat(AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {}).intact()).isTrue();
  }

  @Test
  void refusesToOpenWhenARecordBeforeTheLastIsUnreadable() throws IOException {
    try (FileAuditLog log = FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS)) {
      log.append(TestAuditEvents.events(0, 5)).join();
      log.append(TestAuditEvents.events(5, 5)).join();
    }
    Path segment = dir.resolve(SegmentReader.fileName(0));
    byte[] file = Files.readAllBytes(segment);
    file[3] = 0x7f; // the first record's length is now wrong, so its checksum fails
    Files.write(segment, file);

    assertThatThrownBy(() -> FileAuditLog.open(dir, SIGNER, CLOCK, SETTINGS))
        .isInstanceOfSatisfying(
            AuditException.class, e -> assertThat(e.code()).isEqualTo(AuditException.Code.CORRUPT))
        .hasMessageContaining("record 0");
    assertThat(AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {}).intact()).isFalse();
    assertThat(List.of(Files.readAllBytes(segment).length)).containsExactly(file.length);
  }
}
