package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on the stored files, each detected by the verifier and by opening, naming the record. */
class FileTamperingTest {
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate();
  private static final Clock CLOCK = Clock.fixed(TestAuditEvents.START, ZoneOffset.UTC);
  private static final int RECORDS = 20;

  @TempDir Path dir;
  private Path segment;

  @BeforeEach
  void writeTwentyRecordsWithACheckpoint() {
    try (FileAuditLog log =
        FileAuditLog.open(
            dir,
            SIGNER,
            CLOCK,
            AuditLog.Settings.builder().checkpointInterval(Duration.ofHours(1)).build())) {
      log.append(TestAuditEvents.events(0, RECORDS)).join();
    }
    segment = dir.resolve(SegmentReader.fileName(0));
  }

  /** Where each record starts, plus the end of the file. */
  private List<Long> offsets() throws IOException {
    List<Long> offsets = new ArrayList<>();
    long size = Files.size(segment);
    try (SegmentReader reader = new SegmentReader(segment, size)) {
      SegmentReader.Raw raw;
      while ((raw = reader.next()) != null) {
        offsets.add(raw.offset());
      }
    }
    offsets.add(size);
    return offsets;
  }

  private byte[] recordBytes(byte[] file, List<Long> offsets, int sequence) {
    return Arrays.copyOfRange(
        file, offsets.get(sequence).intValue(), offsets.get(sequence + 1).intValue());
  }

  private VerificationReport verify() {
    return AuditLogVerifier.verify(dir, SIGNER.publicKey(), r -> {});
  }

  private void assertProblem(VerificationReport.Kind kind, long sequence) {
    VerificationReport report = verify();
    assertThat(report.intact()).isFalse();
    assertThat(report.problem().orElseThrow().kind()).isEqualTo(kind);
    assertThat(report.problem().orElseThrow().sequence()).isEqualTo(sequence);
  }

  private void assertOpenRefused(String naming) {
    assertThatThrownBy(() -> FileAuditLog.open(dir, SIGNER, CLOCK, AuditLog.Settings.defaults()))
        .isInstanceOfSatisfying(
            AuditException.class, e -> assertThat(e.code()).isEqualTo(AuditException.Code.CORRUPT))
        .hasMessageContaining(naming);
  }

  private static void fixCrc(byte[] file, int recordOffset) {
    ByteBuffer buffer = ByteBuffer.wrap(file);
    int length = buffer.getInt(recordOffset);
    CRC32C crc = new CRC32C();
    crc.update(file, recordOffset + SegmentReader.HEADER_BYTES, length);
    buffer.putInt(recordOffset + 4, (int) crc.getValue());
  }

  @Test
  void untouchedLogVerifies() {
    VerificationReport report = verify();

    assertThat(report.intact()).isTrue();
    assertThat(report.recordsChecked()).isEqualTo(RECORDS);
    assertThat(report.checkpointsChecked()).isEqualTo(1);
    assertThat(report.recordsAfterLastCheckpoint()).isZero();
  }

  @Test
  void detectsAnEditedByteInARecord() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    int at = offsets.get(7).intValue() + SegmentReader.HEADER_BYTES + 60;
    file[at] ^= 1;
    Files.write(segment, file);

    assertProblem(VerificationReport.Kind.UNREADABLE_RECORD, 7);
    assertOpenRefused("record 7");
  }

  @Test
  void detectsAnEditWhoseChecksumWasRecomputed() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    String text = new String(file, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("DENIED", offsets.get(10).intValue());
    System.arraycopy("ACCEPT".getBytes(StandardCharsets.US_ASCII), 0, file, at, 6);
    fixCrc(file, offsets.get(10).intValue());
    Files.write(segment, file);

    assertProblem(VerificationReport.Kind.CHAIN_MISMATCH, 10);
    assertOpenRefused("record 10");
  }

  @Test
  void detectsADeletedRecord() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    byte[] without = new byte[file.length - (int) (offsets.get(6) - offsets.get(5))];
    System.arraycopy(file, 0, without, 0, offsets.get(5).intValue());
    System.arraycopy(
        file,
        offsets.get(6).intValue(),
        without,
        offsets.get(5).intValue(),
        file.length - offsets.get(6).intValue());
    Files.write(segment, without);

    assertProblem(VerificationReport.Kind.SEQUENCE_GAP, 5);
    assertOpenRefused("record 5");
  }

  @Test
  void detectsTwoSwappedRecords() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    byte[] first = recordBytes(file, offsets, 12);
    byte[] second = recordBytes(file, offsets, 13);
    int at = offsets.get(12).intValue();
    System.arraycopy(second, 0, file, at, second.length);
    System.arraycopy(first, 0, file, at + second.length, first.length);
    Files.write(segment, file);

    assertProblem(VerificationReport.Kind.SEQUENCE_GAP, 12);
    assertOpenRefused("record 12");
  }

  @Test
  void detectsTwoSwappedEventsWithRenumberedSequencesAndChecksums() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    byte[] first = recordBytes(file, offsets, 3);
    byte[] second = recordBytes(file, offsets, 4);
    // Keep each position's sequence and chain value, swap the events, fix the checksums.
    int headerAndFixed = SegmentReader.HEADER_BYTES + SegmentReader.FIXED_PAYLOAD_BYTES;
    byte[] newFirst = concat(Arrays.copyOf(first, headerAndFixed), tail(second, headerAndFixed));
    byte[] newSecond = concat(Arrays.copyOf(second, headerAndFixed), tail(first, headerAndFixed));
    ByteBuffer.wrap(newFirst).putInt(0, newFirst.length - SegmentReader.HEADER_BYTES);
    ByteBuffer.wrap(newSecond).putInt(0, newSecond.length - SegmentReader.HEADER_BYTES);
    fixCrc(newFirst, 0);
    fixCrc(newSecond, 0);
    int at = offsets.get(3).intValue();
    System.arraycopy(newFirst, 0, file, at, newFirst.length);
    System.arraycopy(newSecond, 0, file, at + newFirst.length, newSecond.length);
    Files.write(segment, file);

    assertProblem(VerificationReport.Kind.CHAIN_MISMATCH, 3);
    assertOpenRefused("record 3");
  }

  @Test
  void detectsALogTruncatedInTheMiddle() throws IOException {
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    Files.write(segment, Arrays.copyOf(file, offsets.get(9).intValue() + 17));

    VerificationReport report = verify();
    assertThat(report.tornTailBytes()).isEqualTo(17);
    assertProblem(VerificationReport.Kind.MISSING_RECORDS, 9);
    assertOpenRefused("record 9");
  }

  @Test
  void detectsAForgedCheckpoint() throws IOException {
    Path checkpoints = dir.resolve(FileAuditLog.CHECKPOINTS);
    SignedTreeHead real =
        SignedTreeHead.fromJson(Files.readString(checkpoints, StandardCharsets.UTF_8).strip());
    SignedTreeHead altered =
        new SignedTreeHead(
            real.treeSize(),
            real.chainHead(),
            real.chainHead(),
            real.time(),
            real.keyId(),
            real.signature());
    Files.writeString(checkpoints, altered.toJson() + "\n", StandardCharsets.UTF_8);

    assertProblem(VerificationReport.Kind.CHECKPOINT_SIGNATURE, RECORDS);
    assertOpenRefused("checkpoint of 20 records");
  }

  @Test
  void detectsACheckpointSignedByAnotherKey() throws IOException {
    CheckpointSigner attacker = CheckpointSigner.generate();
    Path checkpoints = dir.resolve(FileAuditLog.CHECKPOINTS);
    SignedTreeHead real =
        SignedTreeHead.fromJson(Files.readString(checkpoints, StandardCharsets.UTF_8).strip());
    SignedTreeHead forged =
        attacker.sign(real.treeSize(), real.rootHash(), real.chainHead(), real.time());
    Files.writeString(checkpoints, forged.toJson() + "\n", StandardCharsets.UTF_8);

    assertProblem(VerificationReport.Kind.CHECKPOINT_SIGNATURE, RECORDS);
  }

  @Test
  void detectsRecordsRewrittenAfterTheCheckpointWithAConsistentChain() throws IOException {
    // An attacker without the signing key rewrites record 2 and recomputes every chain value.
    List<Long> offsets = offsets();
    byte[] file = Files.readAllBytes(segment);
    String text = new String(file, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("user-2", offsets.get(2).intValue());
    file[at + 5] = '9';
    byte[] chain = Sha256.CHAIN_START;
    for (int i = 0; i < RECORDS; i++) {
      int start = offsets.get(i).intValue();
      int end = offsets.get(i + 1).intValue();
      byte[] event =
          Arrays.copyOfRange(
              file, start + SegmentReader.HEADER_BYTES + SegmentReader.FIXED_PAYLOAD_BYTES, end);
      chain = Sha256.chain(chain, Sha256.leaf(event));
      System.arraycopy(chain, 0, file, start + SegmentReader.HEADER_BYTES + 8, 32);
      fixCrc(file, start);
    }
    Files.write(segment, file);

    assertProblem(VerificationReport.Kind.CHECKPOINT_MISMATCH, RECORDS);
    assertOpenRefused("checkpoint of 20 records");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] tail(byte[] bytes, int from) {
    return Arrays.copyOfRange(bytes, from, bytes.length);
  }
}
