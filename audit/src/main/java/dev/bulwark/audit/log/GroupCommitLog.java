package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both stores share: one writer thread that takes everything pending, hands it to the storage
 * as one durable group (one fsync or one transaction), then extends the chain and the Merkle tree
 * and completes the callers' futures; checkpoints by count and by time; the idempotency window; and
 * back-pressure. Futures complete on the writer thread, so callers should not block in callbacks.
 */
abstract class GroupCommitLog implements AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitLog.class);

  final CheckpointSigner signer;
  final Clock clock;
  final Settings settings;
  final MerkleTree tree;

  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final AtomicLong pendingEvents = new AtomicLong();
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final Map<String, Long> recentIds;
  private boolean closed;
  private volatile AuditException failure;
  private volatile SignedTreeHead latest;
  private byte[] chainHead;
  private long checkpointedSize;
  private Instant checkpointedAt;
  private Thread writer;

  GroupCommitLog(CheckpointSigner signer, Clock clock, Settings settings, Recovered recovered) {
    // The subclasses' factories check their arguments; a constructor that throws is avoided.
    this.signer = signer;
    this.clock = clock;
    this.settings = settings;
    this.tree = recovered.tree();
    this.chainHead = recovered.chainHead();
    this.recentIds = recovered.recentIds();
    this.latest = recovered.latest().orElse(null);
    this.checkpointedSize = recovered.latest().map(SignedTreeHead::treeSize).orElse(0L);
    this.checkpointedAt = clock.instant();
  }

  /** A bounded map of the newest event ids to their sequences. */
  static Map<String, Long> idempotencyWindow(int size) {
    return new LinkedHashMap<>(Math.min(size, 1 << 16) * 2, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > size;
      }
    };
  }

  final void startWriter(String name) {
    writer = Thread.ofPlatform().name(name).daemon(true).start(this::run);
  }

  /** Makes {@code entries} durable, all or none acknowledged; throws DISK_FULL or WRITE_FAILED. */
  abstract void persist(List<Entry> entries);

  /** Makes a checkpoint durable. */
  abstract void persistCheckpoint(SignedTreeHead checkpoint);

  /** Of {@code ids} (none in the window), those already stored, with their sequences. */
  Map<String, Long> lookupStored(Set<String> ids) {
    return Map.of();
  }

  /** Releases files, connections and locks. */
  abstract void closeStorage();

  @Override
  public final CompletableFuture<List<Long>> append(List<AuditEvent> events) {
    requireNonNull(events, "events");
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (events.size() > settings.maxPendingEvents()) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT,
          "batch of "
              + events.size()
              + " events (expected: at most maxPendingEvents = "
              + settings.maxPendingEvents()
              + ")");
    }
    List<AuditEvent> copy = List.copyOf(events);
    byte[][] encoded = new byte[copy.size()][];
    byte[][] leaves = new byte[copy.size()][];
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = AuditEventCodec.encode(copy.get(i));
      leaves[i] = Sha256.leaf(encoded[i]);
    }
    gate.readLock().lock();
    try {
      refuseIfUnusable();
      if (pendingEvents.addAndGet(copy.size()) > settings.maxPendingEvents()) {
        pendingEvents.addAndGet(-copy.size());
        throw new AuditException(
            AuditException.Code.OVERLOADED,
            "more than " + settings.maxPendingEvents() + " events wait to be written; retry later");
      }
      CompletableFuture<List<Long>> future = new CompletableFuture<>();
      queue.add(new Append(copy, encoded, leaves, future));
      return future;
    } finally {
      gate.readLock().unlock();
    }
  }

  private void refuseIfUnusable() {
    if (closed) {
      throw new AuditException(AuditException.Code.CLOSED, "the audit log is closed");
    }
    AuditException failed = failure;
    if (failed != null) {
      throw new AuditException(
          failed.code(), "the audit log refuses appends after a write failure; reopen it", failed);
    }
  }

  @Override
  public final long size() {
    return tree.size();
  }

  @Override
  public final Optional<SignedTreeHead> latestCheckpoint() {
    return Optional.ofNullable(latest);
  }

  @Override
  public final SignedTreeHead checkpoint() {
    CompletableFuture<SignedTreeHead> future = new CompletableFuture<>();
    gate.readLock().lock();
    try {
      refuseIfUnusable();
      queue.add(new CheckpointRequest(future));
    } finally {
      gate.readLock().unlock();
    }
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof AuditException audit) {
        throw new AuditException(audit.code(), "checkpoint failed", audit);
      }
      throw e;
    }
  }

  @Override
  public final InclusionProof prove(long sequence, long treeSize) {
    return tree.inclusionProof(sequence, treeSize);
  }

  @Override
  public final ConsistencyProof proveConsistency(long oldSize, long newSize) {
    return tree.consistencyProof(oldSize, newSize);
  }

  final void checkFrom(long from) {
    long size = tree.size();
    if (from < 0 || from > size) {
      throw new AuditException(
          AuditException.Code.INVALID_ARGUMENT, "from " + from + " (expected: 0 to " + size + ")");
    }
  }

  @Override
  public final void close() {
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(Stop.STOP);
    } finally {
      gate.writeLock().unlock();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    closeStorage();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      batch.clear();
      try {
        Request first = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          int events = first instanceof Append append ? append.events().size() : 0;
          Request next;
          while (events < settings.maxBatchEvents() && (next = queue.poll()) != null) {
            batch.add(next);
            if (next instanceof Append append) {
              events += append.events().size();
            }
          }
        }
      } catch (InterruptedException e) {
        // Only close() stops the writer; an interrupt from elsewhere is ignored.
        continue;
      }
      stopping = batch.contains(Stop.STOP);
      try {
        process(batch, stopping);
      } catch (RuntimeException e) {
        LOG.error("audit log writer failed; the log refuses appends until reopened", e);
        AuditException failed =
            e instanceof AuditException audit
                ? audit
                : new AuditException(AuditException.Code.WRITE_FAILED, e.toString(), e);
        failure = failed;
        fail(batch, failed);
      }
    }
  }

  private long pollMillis() {
    if (tree.size() == checkpointedSize) {
      return settings.checkpointInterval().toMillis();
    }
    long left =
        Duration.between(clock.instant(), checkpointedAt.plus(settings.checkpointInterval()))
            .toMillis();
    return Math.max(1, left);
  }

  private void process(List<Request> batch, boolean stopping) {
    if (failure != null) {
      fail(batch, failure);
      return;
    }
    List<Append> appends = new ArrayList<>();
    List<CompletableFuture<SignedTreeHead>> checkpoints = new ArrayList<>();
    for (Request request : batch) {
      switch (request) {
        case Append append -> appends.add(append);
        case CheckpointRequest checkpoint -> checkpoints.add(checkpoint.future());
        case Stop stop -> {}
      }
    }
    if (!appends.isEmpty()) {
      writeAppends(appends);
      if (failure != null) {
        checkpoints.forEach(f -> f.completeExceptionally(failure));
        return;
      }
    }
    long size = tree.size();
    // Millisecond precision, so the signed time survives any store's timestamp type unchanged.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    boolean due =
        size - checkpointedSize >= settings.checkpointEveryRecords()
            || (size > checkpointedSize
                && !now.isBefore(checkpointedAt.plus(settings.checkpointInterval())))
            || (stopping && size > checkpointedSize);
    if (due || !checkpoints.isEmpty()) {
      try {
        SignedTreeHead head = signer.sign(size, tree.root(size), TreeHash.wrap(chainHead), now);
        persistCheckpoint(head);
        latest = head;
        checkpointedSize = size;
        checkpointedAt = now;
        checkpoints.forEach(f -> f.complete(head));
      } catch (AuditException e) {
        failure = e;
        LOG.error("audit log checkpoint failed; the log refuses appends until reopened", e);
        checkpoints.forEach(f -> f.completeExceptionally(e));
      }
    }
  }

  private void writeAppends(List<Append> appends) {
    Set<String> unknown = new HashSet<>();
    for (Append append : appends) {
      for (AuditEvent event : append.events()) {
        if (!recentIds.containsKey(event.id())) {
          unknown.add(event.id());
        }
      }
    }
    Map<String, Long> stored = unknown.isEmpty() ? Map.of() : lookupStored(unknown);
    Map<String, Long> inBatch = new HashMap<>();
    List<Entry> entries = new ArrayList<>();
    List<Long[]> results = new ArrayList<>(appends.size());
    long next = tree.size();
    byte[] chain = chainHead;
    int events = 0;
    for (Append append : appends) {
      Long[] sequences = new Long[append.events().size()];
      for (int i = 0; i < sequences.length; i++) {
        AuditEvent event = append.events().get(i);
        Long existing = recentIds.get(event.id());
        if (existing == null) {
          existing = inBatch.get(event.id());
        }
        if (existing == null) {
          existing = stored.get(event.id());
        }
        if (existing != null) {
          sequences[i] = existing;
          continue;
        }
        byte[] leaf = append.leaves()[i];
        chain = Sha256.chain(chain, leaf);
        entries.add(new Entry(next, event, append.encoded()[i], leaf, chain));
        inBatch.put(event.id(), next);
        sequences[i] = next++;
      }
      results.add(sequences);
      events += sequences.length;
    }
    try {
      if (!entries.isEmpty()) {
        persist(entries);
      }
    } catch (AuditException e) {
      pendingEvents.addAndGet(-events);
      failure = e;
      LOG.error(
          "audit log write of {} records failed ({}); nothing of it was acknowledged, and the log"
              + " refuses appends until reopened",
          entries.size(),
          e.code(),
          e);
      appends.forEach(a -> a.future().completeExceptionally(e));
      return;
    }
    for (Entry entry : entries) {
      tree.append(entry.leaf());
      recentIds.put(entry.event().id(), entry.sequence());
    }
    chainHead = chain;
    pendingEvents.addAndGet(-events);
    for (int i = 0; i < appends.size(); i++) {
      appends.get(i).future().complete(List.of(results.get(i)));
    }
  }

  private void fail(List<Request> batch, AuditException e) {
    for (Request request : batch) {
      switch (request) {
        case Append append -> {
          if (!append.future().isDone()) {
            pendingEvents.addAndGet(-append.events().size());
            append.future().completeExceptionally(e);
          }
        }
        case CheckpointRequest checkpoint -> checkpoint.future().completeExceptionally(e);
        case Stop stop -> {}
      }
    }
  }

  /** State read back from storage when a log opens. */
  record Recovered(
      MerkleTree tree,
      byte[] chainHead,
      Optional<SignedTreeHead> latest,
      Map<String, Long> recentIds) {}

  /** One record about to be written. */
  record Entry(long sequence, AuditEvent event, byte[] encoded, byte[] leaf, byte[] chain) {}

  private sealed interface Request permits Append, CheckpointRequest, Stop {}

  private record Append(
      List<AuditEvent> events,
      byte[][] encoded,
      byte[][] leaves,
      CompletableFuture<List<Long>> future)
      implements Request {}

  private record CheckpointRequest(CompletableFuture<SignedTreeHead> future) implements Request {}

  private enum Stop implements Request {
    STOP
  }
}
