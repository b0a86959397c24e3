package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded audit store: a directory of segment files (see {@link SegmentReader} for the record
 * format) and {@code checkpoints.log}, one signed tree head per line. One writer thread appends
 * groups of records with a single {@link FileChannel#force} each; a directory lock keeps other
 * processes out. Opening recovers from a crash by cutting off a torn tail (kept aside in a {@code
 * torn-*.bin} file and logged); any other inconsistency refuses to open.
 */
public final class FileAuditLog extends GroupCommitLog {
  static final String CHECKPOINTS = "checkpoints.log";
  private static final String LOCK = "lock";
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditLog.class);

  private final Path dir;
  private final ChannelOpener opener;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final FileChannel checkpoints;
  private final List<Segment> segments;
  private FileChannel current;
  private long currentBytes;
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);

  private FileAuditLog(
      Path dir,
      CheckpointSigner signer,
      Clock clock,
      Settings settings,
      Recovered recovered,
      ChannelOpener opener,
      FileChannel lockChannel,
      FileLock lock,
      FileChannel checkpoints,
      List<Segment> segments,
      FileChannel current,
      long currentBytes) {
    super(signer, clock, settings, recovered);
    this.dir = dir;
    this.opener = opener;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.checkpoints = checkpoints;
    this.segments = new CopyOnWriteArrayList<>(segments);
    this.current = current;
    this.currentBytes = currentBytes;
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, recovering after a crash.
   *
   * @throws AuditException {@code LOCKED} if another process has it open, {@code CORRUPT} naming
   *     the first bad record or checkpoint, {@code READ_FAILED} if it cannot be read
   */
  public static FileAuditLog open(
      Path dir, CheckpointSigner signer, Clock clock, Settings settings) {
    return open(dir, signer, clock, settings, FileAuditLog::openForAppend);
  }

  static FileAuditLog open(
      Path dir, CheckpointSigner signer, Clock clock, Settings settings, ChannelOpener opener) {
    requireNonNull(dir, "dir");
    requireNonNull(signer, "signer");
    requireNonNull(clock, "clock");
    requireNonNull(settings, "settings");
    FileChannel lockChannel = null;
    List<FileChannel> opened = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      lockChannel =
          FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new AuditException(
            AuditException.Code.LOCKED, "audit store " + dir + " is open in another process");
      }
      Path checkpointFile = dir.resolve(CHECKPOINTS);
      CheckpointFile stored = CheckpointFile.read(checkpointFile);
      if (stored.problem().isPresent()) {
        throw new AuditException(AuditException.Code.CORRUPT, stored.problem().get());
      }
      if (stored.tornBytes() > 0) {
        LOG.warn(
            "audit store {}: cutting a torn last checkpoint line of {} bytes (a crash while it"
                + " was written)",
            dir,
            stored.tornBytes());
        try (FileChannel channel = FileChannel.open(checkpointFile, StandardOpenOption.WRITE)) {
          channel.truncate(Files.size(checkpointFile) - stored.tornBytes());
          channel.force(true);
        }
      }
      Map<Long, byte[]> chainAt = new HashMap<>();
      for (SignedTreeHead head : stored.heads()) {
        chainAt.put(head.treeSize(), null);
      }
      MerkleTree tree = new MerkleTree();
      Map<String, Long> recentIds = idempotencyWindow(settings.idempotencyWindow());
      List<Segment> segments = listSegments(dir);
      byte[] chain = Sha256.CHAIN_START.clone();
      if (chainAt.containsKey(0L)) {
        chainAt.put(0L, chain);
      }
      long next = 0;
      for (int s = 0; s < segments.size(); s++) {
        Segment segment = segments.get(s);
        if (segment.firstSequence() != next) {
          throw new AuditException(
              AuditException.Code.CORRUPT,
              "record "
                  + next
                  + ": missing (segment "
                  + segment.file().getFileName()
                  + " starts at "
                  + segment.firstSequence()
                  + ")");
        }
        long fileSize = Files.size(segment.file());
        try (SegmentReader reader = new SegmentReader(segment.file(), fileSize)) {
          SegmentReader.Raw raw;
          while ((raw = reader.next()) != null) {
            if (raw.sequence() != next) {
              throw new AuditException(
                  AuditException.Code.CORRUPT,
                  "record " + next + ": found sequence " + raw.sequence() + " in its place");
            }
            byte[] leaf = Sha256.leaf(raw.event());
            chain = Sha256.chain(chain, leaf);
            if (!java.security.MessageDigest.isEqual(chain, raw.chain())) {
              throw new AuditException(
                  AuditException.Code.CORRUPT,
                  "record " + next + ": hash chain broken (edited, removed or reordered)");
            }
            tree.append(leaf);
            if (settings.idempotencyWindow() > 0) {
              recentIds.put(eventId(raw.event()), next);
            }
            next++;
            if (chainAt.containsKey(next)) {
              chainAt.put(next, chain);
            }
          }
          if (reader.defect() != SegmentReader.Defect.NONE) {
            boolean last = s == segments.size() - 1;
            if (!last || !reader.tornTail()) {
              throw new AuditException(
                  AuditException.Code.CORRUPT,
                  "record "
                      + next
                      + ": unreadable ("
                      + reader.defect()
                      + " at byte "
                      + reader.defectOffset()
                      + " of "
                      + segment.file().getFileName()
                      + ")");
            }
            cutTornTail(dir, segment.file(), reader.defectOffset(), fileSize, next, clock);
          }
        }
      }
      for (SignedTreeHead head : stored.heads()) {
        checkCheckpoint(head, tree, chainAt.get(head.treeSize()), signer);
      }
      Recovered recovered =
          new Recovered(
              tree,
              chain,
              stored.heads().isEmpty() ? Optional.empty() : Optional.of(stored.heads().getLast()),
              recentIds);
      if (segments.isEmpty()) {
        segments.add(new Segment(0, dir.resolve(SegmentReader.fileName(0))));
      }
      Segment last = segments.getLast();
      FileChannel current = opener.open(last.file());
      opened.add(current);
      long currentBytes = current.size();
      current.position(currentBytes);
      FileChannel checkpoints = opener.open(checkpointFile);
      opened.add(checkpoints);
      checkpoints.position(checkpoints.size());
      syncDirectory(dir);
      FileAuditLog log =
          new FileAuditLog(
              dir,
              signer,
              clock,
              settings,
              recovered,
              opener,
              lockChannel,
              lock,
              checkpoints,
              segments,
              current,
              currentBytes);
      log.startWriter("audit-log-writer-" + dir.getFileName());
      return log;
    } catch (IOException | UncheckedIOException | AuditException | IllegalArgumentException e) {
      for (FileChannel channel : opened) {
        closeQuietly(channel);
      }
      if (lockChannel != null) {
        closeQuietly(lockChannel);
      }
      if (e instanceof AuditException audit) {
        throw audit;
      }
      throw new AuditException(
          AuditException.Code.READ_FAILED, "cannot open audit store " + dir + ": " + e, e);
    }
  }

  private static void checkCheckpoint(
      SignedTreeHead head, MerkleTree tree, byte[] chain, CheckpointSigner signer) {
    if (head.treeSize() > tree.size()) {
      throw new AuditException(
          AuditException.Code.CORRUPT,
          "record "
              + tree.size()
              + ": missing (a checkpoint covers "
              + head.treeSize()
              + " records, "
              + tree.size()
              + " found)");
    }
    if (!tree.root(head.treeSize()).equals(head.rootHash())
        || chain == null
        || !TreeHash.wrap(chain).equals(head.chainHead())) {
      throw new AuditException(
          AuditException.Code.CORRUPT,
          "checkpoint of "
              + head.treeSize()
              + " records does not match the records (some record before "
              + head.treeSize()
              + " was changed)");
    }
    if (head.keyId().equals(signer.keyId()) && !head.verify(signer.publicKey())) {
      throw new AuditException(
          AuditException.Code.CORRUPT,
          "checkpoint of " + head.treeSize() + " records: bad signature");
    }
  }

  private static void cutTornTail(
      Path dir, Path file, long offset, long fileSize, long sequence, Clock clock)
      throws IOException {
    Path aside = dir.resolve("torn-" + sequence + "-" + clock.millis() + ".bin");
    try (FileChannel in =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel out =
            FileChannel.open(aside, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(offset, fileSize - offset, out);
      out.force(true);
      in.truncate(offset);
      in.force(true);
    }
    LOG.warn(
        "audit store {}: cut a torn tail of {} bytes after record {} in {} (never acknowledged:"
            + " a crash during a write); the bytes are kept in {}",
        dir,
        fileSize - offset,
        sequence - 1,
        file.getFileName(),
        aside.getFileName());
  }

  static List<Segment> listSegments(Path dir) throws IOException {
    List<Segment> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          file -> {
            Path name = file.getFileName();
            long first = name == null ? -1 : SegmentReader.firstSequence(name.toString());
            if (first >= 0) {
              segments.add(new Segment(first, file));
            }
          });
    }
    segments.sort((a, b) -> Long.compare(a.firstSequence(), b.firstSequence()));
    return segments;
  }

  /** The id of an encoded event; the codec writes it first, so most need no full decode. */
  static String eventId(byte[] encoded) {
    byte[] prefix = "{\"id\":\"".getBytes(StandardCharsets.UTF_8);
    if (encoded.length > prefix.length
        && java.util.Arrays.equals(encoded, 0, prefix.length, prefix, 0, prefix.length)) {
      for (int i = prefix.length; i < encoded.length; i++) {
        if (encoded[i] == '\\') {
          break;
        }
        if (encoded[i] == '"') {
          return new String(encoded, prefix.length, i - prefix.length, StandardCharsets.UTF_8);
        }
      }
    }
    try {
      return AuditEventCodec.decode(encoded).id();
    } catch (IllegalArgumentException e) {
      throw new AuditException(AuditException.Code.CORRUPT, "undecodable event: " + e.getMessage());
    }
  }

  private static FileChannel openForAppend(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  @Override
  void persist(List<Entry> entries) {
    int total = 0;
    for (Entry entry : entries) {
      total +=
          SegmentReader.HEADER_BYTES + SegmentReader.FIXED_PAYLOAD_BYTES + entry.encoded().length;
    }
    long start = currentBytes;
    try {
      if (currentBytes > 0 && currentBytes + total > settings.segmentBytes()) {
        roll(entries.getFirst().sequence());
        start = 0;
      }
      if (buffer.capacity() < total) {
        buffer = ByteBuffer.allocate(Math.max(total, buffer.capacity() * 2));
      }
      buffer.clear();
      byte[] array = buffer.array();
      CRC32C crc = new CRC32C();
      for (Entry entry : entries) {
        int length = SegmentReader.FIXED_PAYLOAD_BYTES + entry.encoded().length;
        int at = buffer.position();
        buffer.putInt(length).putInt(0);
        buffer.putLong(entry.sequence()).put(entry.chain()).put(entry.encoded());
        crc.reset();
        crc.update(array, at + SegmentReader.HEADER_BYTES, length);
        buffer.putInt(at + 4, (int) crc.getValue());
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        current.write(buffer);
      }
      current.force(false);
      currentBytes = start + total;
    } catch (IOException e) {
      try {
        current.truncate(start);
        current.position(start);
      } catch (IOException ignored) {
        // The log refuses further appends; reopening cuts whatever partial record remains.
      }
      throw writeFailure("records " + entries.getFirst().sequence() + "..", e);
    }
  }

  private void roll(long firstSequence) throws IOException {
    Path file = dir.resolve(SegmentReader.fileName(firstSequence));
    FileChannel next = opener.open(file);
    syncDirectory(dir);
    FileChannel previous = current;
    current = next;
    currentBytes = 0;
    segments.add(new Segment(firstSequence, file));
    previous.close();
  }

  static AuditException writeFailure(String what, IOException e) {
    String message = String.valueOf(e.getMessage());
    boolean full =
        message.contains("No space left on device") || message.contains("Disk quota exceeded");
    return new AuditException(
        full ? AuditException.Code.DISK_FULL : AuditException.Code.WRITE_FAILED,
        "writing " + what + " failed: " + message,
        e);
  }

  @Override
  void persistCheckpoint(SignedTreeHead checkpoint) {
    byte[] line = (checkpoint.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    long start = -1;
    try {
      start = checkpoints.position();
      ByteBuffer bytes = ByteBuffer.wrap(line);
      while (bytes.hasRemaining()) {
        checkpoints.write(bytes);
      }
      checkpoints.force(false);
    } catch (IOException e) {
      if (start >= 0) {
        try {
          checkpoints.truncate(start);
        } catch (IOException ignored) {
          // Reopening cuts a torn checkpoint line.
        }
      }
      throw writeFailure("checkpoint of " + checkpoint.treeSize() + " records", e);
    }
  }

  @Override
  public Stream<AuditRecord> records(long from) {
    checkFrom(from);
    long end = size();
    RecordIterator iterator = new RecordIterator(List.copyOf(segments), from, end);
    return StreamSupport.stream(
            Spliterators.spliterator(
                iterator, end - from, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(iterator::close);
  }

  @Override
  public List<AuditRecord> query(AuditQuery query) {
    requireNonNull(query, "query");
    Deque<AuditRecord> newest = new ArrayDeque<>(query.limit());
    try (Stream<AuditRecord> records = records(0)) {
      records
          .filter(r -> query.matches(r.event()))
          .forEach(
              r -> {
                if (newest.size() == query.limit()) {
                  newest.removeFirst();
                }
                newest.addLast(r);
              });
    }
    List<AuditRecord> result = new ArrayList<>(newest);
    return result.reversed();
  }

  @Override
  void closeStorage() {
    closeQuietly(current);
    closeQuietly(checkpoints);
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("audit store {}: cannot release the directory lock: {}", dir, e.toString());
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.warn("cannot close an audit store file: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "FileAuditLog{" + dir + ", " + size() + " records}";
  }

  /** Opens a file for appending; tests substitute one that fails. */
  @FunctionalInterface
  interface ChannelOpener {
    FileChannel open(Path file) throws IOException;
  }

  /** A segment file and the first sequence in it. */
  record Segment(long firstSequence, Path file) {}

  /** Reads records {@code from} to {@code end} (exclusive) across segments. */
  private static final class RecordIterator implements Iterator<AuditRecord> {
    private final List<Segment> segments;
    private final long end;
    private long next;
    private int segmentIndex;
    private SegmentReader reader;
    private byte[] chain = Sha256.CHAIN_START;
    private AuditRecord ready;

    RecordIterator(List<Segment> segments, long from, long end) {
      this.segments = segments;
      this.end = end;
      this.next = from;
      this.segmentIndex = -1;
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i).firstSequence() <= from) {
          segmentIndex = i;
        }
      }
    }

    @Override
    public boolean hasNext() {
      if (ready != null) {
        return true;
      }
      if (next >= end) {
        close();
        return false;
      }
      try {
        while (true) {
          if (reader == null) {
            Segment segment = segments.get(segmentIndex);
            reader = new SegmentReader(segment.file(), Files.size(segment.file()));
          }
          SegmentReader.Raw raw = reader.next();
          if (raw == null) {
            if (reader.defect() != SegmentReader.Defect.NONE
                || segmentIndex + 1 >= segments.size()) {
              throw new AuditException(
                  AuditException.Code.READ_FAILED,
                  "record " + next + ": unreadable (" + reader.defect() + ")");
            }
            reader.close();
            reader = null;
            segmentIndex++;
            continue;
          }
          if (raw.sequence() < next) {
            continue;
          }
          if (raw.sequence() != next) {
            throw new AuditException(
                AuditException.Code.READ_FAILED,
                "record " + next + ": found sequence " + raw.sequence() + " in its place");
          }
          chain = raw.chain();
          ready =
              new AuditRecord(
                  next,
                  AuditEventCodec.decode(raw.event()),
                  MerkleTree.leafHash(raw.event()),
                  TreeHash.wrap(chain));
          next++;
          return true;
        }
      } catch (IOException e) {
        close();
        throw new AuditException(
            AuditException.Code.READ_FAILED, "record " + next + ": " + e.getMessage(), e);
      }
    }

    @Override
    public AuditRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      AuditRecord record = ready;
      ready = null;
      return record;
    }

    void close() {
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException ignored) {
          // Nothing was written through a reader.
        }
        reader = null;
      }
    }
  }
}
