package dev.bulwark.audit.log;

import dev.bulwark.audit.AuditEventCodec;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads one segment file: records of {@code length (4) | CRC-32C of the payload (4) | payload}, the
 * payload being {@code sequence (8) | chain hash (32) | encoded event}. Stops at the first defect
 * and says what it is, so the caller decides between a torn tail and corruption.
 */
final class SegmentReader implements Closeable {
  static final int HEADER_BYTES = 8;
  static final int FIXED_PAYLOAD_BYTES = 8 + TreeHash.LENGTH;
  static final int MIN_EVENT_BYTES = 2;

  private final Path file;
  private final long limit;
  private final DataInputStream in;
  private long offset;
  private Defect defect = Defect.NONE;
  private long defectOffset = -1;
  private long defectEnd = -1;

  SegmentReader(Path file, long limit) throws IOException {
    this.file = file;
    this.limit = limit;
    InputStream stream = Files.newInputStream(file);
    this.in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
  }

  /** A segment's name for the first sequence it holds. */
  static String fileName(long firstSequence) {
    return String.format("segment-%020d.log", firstSequence);
  }

  /** The first sequence of a segment file name, or -1 if it is no segment name. */
  static long firstSequence(String fileName) {
    if (!fileName.matches("segment-[0-9]{20}\\.log")) {
      return -1;
    }
    return Long.parseLong(fileName.substring(8, 28));
  }

  /** The next record, or {@code null} at the end or at a defect ({@link #defect()}). */
  Raw next() throws IOException {
    if (defect != Defect.NONE || offset >= limit) {
      return null;
    }
    long start = offset;
    if (limit - offset < HEADER_BYTES) {
      return defect(Defect.INCOMPLETE, start, limit);
    }
    int length = in.readInt();
    int crc = in.readInt();
    offset += HEADER_BYTES;
    if (length < FIXED_PAYLOAD_BYTES + MIN_EVENT_BYTES
        || length > FIXED_PAYLOAD_BYTES + AuditEventCodec.MAX_ENCODED_BYTES) {
      return defect(Defect.BAD_LENGTH, start, limit);
    }
    if (limit - offset < length) {
      return defect(Defect.INCOMPLETE, start, limit);
    }
    byte[] payload = new byte[length];
    try {
      in.readFully(payload);
    } catch (EOFException e) {
      return defect(Defect.INCOMPLETE, start, limit);
    }
    offset += length;
    CRC32C check = new CRC32C();
    check.update(payload);
    if ((int) check.getValue() != crc) {
      return defect(Defect.BAD_CRC, start, offset);
    }
    ByteBuffer buffer = ByteBuffer.wrap(payload);
    long sequence = buffer.getLong();
    byte[] chain = new byte[TreeHash.LENGTH];
    buffer.get(chain);
    byte[] event = new byte[buffer.remaining()];
    buffer.get(event);
    return new Raw(sequence, chain, event, start);
  }

  private Raw defect(Defect kind, long start, long end) {
    defect = kind;
    defectOffset = start;
    defectEnd = end;
    return null;
  }

  Defect defect() {
    return defect;
  }

  /** Where the defective record starts. */
  long defectOffset() {
    return defectOffset;
  }

  /** How far reading got: the end of the last good record. */
  long goodEnd() {
    return defect == Defect.NONE ? offset : defectOffset;
  }

  /**
   * Whether the defect looks like a write cut short by a crash: a record running past the end, a
   * last record whose checksum fails, or nothing but zeros from the defect on (space the file
   * system allocated before the data reached it).
   */
  boolean tornTail() throws IOException {
    return switch (defect) {
      case NONE -> false;
      case INCOMPLETE -> true;
      case BAD_CRC -> defectEnd == limit || zerosFrom(defectOffset);
      case BAD_LENGTH -> zerosFrom(defectOffset);
    };
  }

  private boolean zerosFrom(long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
      long at = position;
      while (at < limit) {
        buffer.clear();
        int read = channel.read(buffer, at);
        if (read <= 0) {
          return true;
        }
        for (int i = 0; i < read && at + i < limit; i++) {
          if (buffer.get(i) != 0) {
            return false;
          }
        }
        at += read;
      }
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  enum Defect {
    NONE,
    INCOMPLETE,
    BAD_LENGTH,
    BAD_CRC
  }

  /** A record as stored. */
  record Raw(long sequence, byte[] chain, byte[] event, long offset) {}
}
