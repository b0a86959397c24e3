package dev.bulwark.audit.emit;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a service's audit events to the central collector without ever making the service wait:
 * {@link #record} puts the event in a bounded buffer and returns; one sender thread batches the
 * buffer, delivers batches in order through an {@link AuditTransport}, and retries retryable
 * failures with exponential backoff and jitter.
 *
 * <p>An event that cannot be kept (buffer full, refused by the collector, still buffered when
 * {@link #close} gives up) is dropped, never silently: it is counted in {@link #stats()}, a WARN
 * line reports drops at most once per report interval, the {@link AuditDropListener} is told, and
 * once deliveries go through again an {@code audit.dropped} event (attributes {@code count}, {@code
 * since}, {@code until}) is sent so the central log shows the gap.
 */
public final class AuditEmitter implements AuditSink, AutoCloseable {
  /** The action of the event an emitter sends about its own drops. */
  public static final String DROPPED_ACTION = "audit.dropped";

  private static final Logger LOG = LoggerFactory.getLogger(AuditEmitter.class);

  private final String name;
  private final AuditTransport transport;
  private final int capacity;
  private final int batchSize;
  private final long lingerNanos;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration closeTimeout;
  private final Duration dropReportInterval;
  private final Clock clock;
  private final AuditDropListener dropListener;

  // The buffer: size is reserved before an event is added, so the queue never holds more than
  // capacity events without a lock on the caller's path.
  private final ConcurrentLinkedQueue<AuditEvent> buffer = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buffered = new AtomicInteger();
  // Events taken by the sender and not yet delivered or dropped; whoever takes them off this
  // count (the sender, or close when it gives up) is the one that accounts for them.
  private final AtomicInteger inFlight = new AtomicInteger();

  private final LongAdder emitted = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final AtomicLong unreportedDrops = new AtomicLong();
  private final AtomicReference<Instant> firstUnreportedDrop = new AtomicReference<>();
  private final AtomicBoolean warnedRecordAfterClose = new AtomicBoolean();

  // Only drawn on retries, so its cost does not matter; a SecureRandom keeps the static checks
  // from having to tell jitter from security uses.
  private final SecureRandom jitter = new SecureRandom();
  private final Thread sender;
  private final ScheduledExecutorService monitor;
  private final Object reportLock = new Object();
  private long reportedDrops;

  private volatile boolean closing;
  private volatile boolean abandoned;
  private volatile boolean drained;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AuditEmitter(Builder builder) {
    this.name = builder.name;
    this.transport = builder.transport;
    this.capacity = builder.capacity;
    this.batchSize = builder.batchSize;
    this.lingerNanos = builder.linger.toNanos();
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.closeTimeout = builder.closeTimeout;
    this.dropReportInterval = builder.dropReportInterval;
    this.clock = builder.clock;
    this.dropListener = builder.dropListener;
    this.sender = new Thread(this::send, "audit-emitter-" + name);
    this.sender.setDaemon(true);
    this.monitor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "audit-emitter-" + name + "-monitor");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** A builder of an emitter sending through {@code transport}. */
  public static Builder builder(AuditTransport transport) {
    return new Builder(transport);
  }

  private AuditEmitter start() {
    sender.start();
    long interval = dropReportInterval.toNanos();
    monitor.scheduleWithFixedDelay(this::reportDrops, interval, interval, TimeUnit.NANOSECONDS);
    return this;
  }

  /** The same as {@link #record}. */
  @Override
  public void emit(AuditEvent event) {
    record(event);
  }

  /**
   * Buffers {@code event} for delivery and returns at once; if the buffer is full, or the emitter
   * closed, the event is dropped and counted.
   */
  public void record(AuditEvent event) {
    requireNonNull(event, "event");
    emitted.increment();
    if (closing) {
      drop(1, false);
      if (warnedRecordAfterClose.compareAndSet(false, true)) {
        LOG.warn(
            "audit emitter {}: event recorded after close, dropped (action {})",
            name,
            event.action());
      }
      return;
    }
    int before;
    do {
      before = buffered.get();
      if (before >= capacity) {
        drop(1, true);
        return;
      }
    } while (!buffered.compareAndSet(before, before + 1));
    buffer.add(event);
    if (drained) {
      // Closed while this event was being added: nobody will send it.
      long late = drainBuffer();
      if (late > 0) {
        drop(late, false);
      }
      return;
    }
    if (before == 0 || before + 1 == batchSize) {
      LockSupport.unpark(sender);
    }
  }

  /** The emitter's counters now. */
  public AuditEmitterStats stats() {
    return new AuditEmitterStats(
        emitted.sum(),
        delivered.get(),
        dropped.sum(),
        retries.get(),
        Math.max(0, buffered.get()) + inFlight.get(),
        Optional.ofNullable(lastError.get()));
  }

  /** The name given to the builder; also the component of the emitter's own events. */
  public String name() {
    return name;
  }

  /**
   * Stops taking events, delivers what is buffered within the close timeout, then counts what is
   * left as dropped (and reports it). Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing = true;
    LockSupport.unpark(sender);
    boolean interrupted = false;
    try {
      sender.join(closeTimeout);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    long left = 0;
    if (sender.isAlive()) {
      abandoned = true;
      sender.interrupt();
      left += inFlight.getAndSet(0);
    }
    drained = true;
    left += drainBuffer();
    if (left > 0) {
      drop(left, false);
      LOG.warn(
          "audit emitter {}: closed after {}: {} events undelivered, dropped, last error: {}",
          name,
          closeTimeout,
          left,
          Optional.ofNullable(lastError.get()).orElse("none"));
    }
    monitor.shutdownNow();
    reportDrops();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private long drainBuffer() {
    long count = 0;
    while (buffer.poll() != null) {
      buffered.decrementAndGet();
      count++;
    }
    return count;
  }

  private void drop(long count, boolean reportCentrally) {
    dropped.add(count);
    if (reportCentrally) {
      firstUnreportedDrop.compareAndSet(null, clock.instant());
      unreportedDrops.addAndGet(count);
    }
  }

  private void reportDrops() {
    long delta;
    long total;
    synchronized (reportLock) {
      total = dropped.sum();
      delta = total - reportedDrops;
      if (delta <= 0) {
        return;
      }
      reportedDrops = total;
    }
    LOG.warn(
        "audit emitter {}: {} audit events dropped ({} since start); pending {}, last error: {}",
        name,
        delta,
        total,
        stats().pending(),
        Optional.ofNullable(lastError.get()).orElse("none"));
    try {
      dropListener.dropped(delta, total);
    } catch (RuntimeException e) {
      LOG.warn("audit emitter {}: drop listener failed", name, e);
    }
  }

  // The sender thread's loop: take a batch, deliver it (splitting or trimming it as the collector
  // asks), and only then take the next, which keeps the order of events.
  private void send() {
    Deque<List<AuditEvent>> work = new ArrayDeque<>();
    AuditEvent[] ownReport = new AuditEvent[1];
    int attempt = 0;
    while (!abandoned) {
      if (work.isEmpty()) {
        if (!awaitBatch()) {
          return;
        }
        List<AuditEvent> batch = takeBatch(ownReport);
        if (batch.isEmpty()) {
          continue;
        }
        work.add(batch);
      }
      List<AuditEvent> batch = work.peekFirst();
      try {
        transport.deliver(List.copyOf(batch));
        work.removeFirst();
        if (settle(batch.size())) {
          delivered.addAndGet(batch.size());
        }
        attempt = 0;
      } catch (AuditDeliveryException e) {
        lastError.set(e.getMessage());
        if (e.retryable()) {
          if (abandoned) {
            return;
          }
          retries.incrementAndGet();
          backOff(attempt++, e.retryAfter());
          continue;
        }
        attempt = 0;
        work.removeFirst();
        refused(batch, e, work, ownReport[0]);
      } catch (RuntimeException e) {
        // A transport bug must not kill the sender: treat it as retryable.
        lastError.set("audit.transport_error: " + e);
        LOG.warn("audit emitter {}: transport failed", name, e);
        retries.incrementAndGet();
        backOff(attempt++, Optional.empty());
      }
    }
  }

  private void refused(
      List<AuditEvent> batch,
      AuditDeliveryException e,
      Deque<List<AuditEvent>> work,
      AuditEvent ownReport) {
    if (e.failure() == AuditDeliveryException.Failure.TOO_LARGE && batch.size() > 1) {
      // Send the two halves in turn instead: still in order, and each may fit.
      int half = batch.size() / 2;
      work.addFirst(new ArrayList<>(batch.subList(half, batch.size())));
      work.addFirst(new ArrayList<>(batch.subList(0, half)));
      return;
    }
    if (e.rejectedIndex().isPresent() && e.rejectedIndex().getAsInt() < batch.size()) {
      int index = e.rejectedIndex().getAsInt();
      AuditEvent refused = batch.get(index);
      List<AuditEvent> rest = new ArrayList<>(batch);
      rest.remove(index);
      if (!rest.isEmpty()) {
        work.addFirst(rest);
      }
      if (settle(1)) {
        drop(1, refused != ownReport);
      }
      LOG.error(
          "audit emitter {}: collector refused event {} ({} {}), dropped: {}",
          name,
          refused.id(),
          refused.component(),
          refused.action(),
          e.getMessage());
      return;
    }
    if (settle(batch.size())) {
      drop(batch.size(), !(batch.size() == 1 && batch.get(0) == ownReport));
    }
    LOG.error(
        "audit emitter {}: collector refused a batch of {} events, dropped: {}",
        name,
        batch.size(),
        e.getMessage());
  }

  private boolean settle(int count) {
    while (true) {
      int current = inFlight.get();
      if (current < count) {
        return false; // close gave up on them and counted them already
      }
      if (inFlight.compareAndSet(current, current - count)) {
        return true;
      }
    }
  }

  // Waits until a full batch is buffered, or the oldest buffered event has lingered long enough,
  // or drops are waiting to be reported; false once closing has nothing left to send.
  private boolean awaitBatch() {
    long firstSeen = 0;
    boolean seen = false;
    while (!abandoned) {
      int size = buffered.get();
      if (size >= batchSize || (closing && size > 0)) {
        return true;
      }
      if (size == 0) {
        if (unreportedDrops.get() > 0) {
          return true;
        }
        if (closing) {
          return false;
        }
        seen = false;
        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
      } else {
        long now = System.nanoTime();
        if (!seen) {
          seen = true;
          firstSeen = now;
        }
        long remaining = lingerNanos - (now - firstSeen);
        if (remaining <= 0) {
          return true;
        }
        LockSupport.parkNanos(this, remaining);
      }
      if (Thread.interrupted() && abandoned) {
        return false;
      }
    }
    return false;
  }

  private List<AuditEvent> takeBatch(AuditEvent[] ownReport) {
    boolean report = unreportedDrops.get() > 0;
    int room = report ? Math.max(1, batchSize - 1) : batchSize;
    List<AuditEvent> batch = new ArrayList<>(Math.min(room, buffered.get()) + 1);
    AuditEvent event;
    while (batch.size() < room && (event = buffer.poll()) != null) {
      // In flight before out of the buffer, so stats never show an event in neither.
      inFlight.incrementAndGet();
      buffered.decrementAndGet();
      batch.add(event);
    }
    ownReport[0] = null;
    if (report) {
      long count = unreportedDrops.getAndSet(0);
      Instant since = firstUnreportedDrop.getAndSet(null);
      if (count > 0) {
        Instant until = clock.instant();
        AuditEvent gap =
            AuditEvent.builder(name, DROPPED_ACTION, AuditEvent.Outcome.FAILURE)
                .time(until)
                .attribute("count", Long.toString(count))
                .attribute("since", (since == null ? until : since).toString())
                .attribute("until", until.toString())
                .build();
        emitted.increment();
        inFlight.incrementAndGet();
        batch.add(gap);
        ownReport[0] = gap;
      }
    }
    return batch;
  }

  private void backOff(int attempt, Optional<Duration> retryAfter) {
    long ceiling = initialBackoff.toNanos() << Math.min(attempt, 30);
    if (ceiling <= 0 || ceiling > maxBackoff.toNanos()) {
      ceiling = maxBackoff.toNanos();
    }
    // Equal jitter (a random wait in the upper half of the ceiling), so emitters that failed
    // together do not retry together.
    long wait = ceiling / 2 + jitter.nextLong(ceiling / 2 + 1);
    if (retryAfter.isPresent()) {
      wait = Math.max(wait, Math.min(retryAfter.get().toNanos(), maxBackoff.toNanos()));
    }
    long deadline = System.nanoTime() + wait;
    long remaining;
    while (!abandoned && (remaining = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(this, remaining);
    }
  }

  /** Configures an {@link AuditEmitter}; {@link #build()} starts it. */
  public static final class Builder {
    private final AuditTransport transport;
    private String name;
    private int capacity = 65_536;
    private int batchSize = 500;
    private Duration linger = Duration.ofMillis(50);
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Duration dropReportInterval = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private AuditDropListener dropListener = (dropped, total) -> {};

    private Builder(AuditTransport transport) {
      this.transport = requireNonNull(transport, "transport");
    }

    /**
     * Names the emitter (required): its threads and log lines carry it, and it is the component of
     * the {@code audit.dropped} events it sends, so use the service's component name.
     */
    public Builder name(String name) {
      requireNonNull(name, "name");
      if (name.isBlank() || name.length() > 64) {
        throw new IllegalArgumentException(
            "name: '" + name + "' (expected: 1 to 64 characters, not blank)");
      }
      this.name = name;
      return this;
    }

    /** How many events the buffer holds before dropping (default 65536). */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
      }
      this.capacity = capacity;
      return this;
    }

    /** The most events sent in one delivery (default 500). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: > 0)");
      }
      this.batchSize = batchSize;
      return this;
    }

    /** How long a buffered event may wait for a batch to fill (default 50 ms). */
    public Builder linger(Duration linger) {
      requireNonNull(linger, "linger");
      if (linger.isNegative() || linger.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("linger: " + linger + " (expected: 0 to 1 minute)");
      }
      this.linger = linger;
      return this;
    }

    /**
     * The wait before the first retry and the most any retry waits (default 100 ms and 30 s); each
     * retry doubles the wait, with jitter.
     */
    public Builder retryBackoff(Duration initial, Duration max) {
      requireNonNull(initial, "initial");
      requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero()) {
        throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
      }
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max: " + max + " (expected: >= " + initial + ")");
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long {@link AuditEmitter#close()} keeps delivering (default 5 s). */
    public Builder closeTimeout(Duration closeTimeout) {
      requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout: " + closeTimeout + " (expected: >= 0)");
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** How often at most drops are logged and the drop listener told (default 10 s). */
    public Builder dropReportInterval(Duration interval) {
      requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("dropReportInterval: " + interval + " (expected: > 0)");
      }
      this.dropReportInterval = interval;
      return this;
    }

    /** The clock of the emitter's own events (default the system's, UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Told of drops, at most once per report interval. */
    public Builder dropListener(AuditDropListener dropListener) {
      this.dropListener = requireNonNull(dropListener, "dropListener");
      return this;
    }

    /**
     * A started emitter.
     *
     * @throws IllegalStateException if no name was given
     */
    public AuditEmitter build() {
      if (name == null) {
        throw new IllegalStateException("name: missing (expected: the emitting component's name)");
      }
      return new AuditEmitter(this).start();
    }
  }
}
