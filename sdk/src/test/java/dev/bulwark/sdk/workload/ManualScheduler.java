package dev.bulwark.sdk.workload;

import dev.bulwark.sdk.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A scheduler that runs nothing until the test says so, on the test's thread, moving the test's
 * clock to each task's time: scheduling is checked without sleeping.
 */
final class ManualScheduler implements Scheduler {
  private final MutableClock clock;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>(
          Comparator.comparing((Entry e) -> e.due).thenComparingLong(e -> e.sequence));
  private final List<String> threadNames = new ArrayList<>();
  private long sequence;
  private boolean shutdown;

  ManualScheduler(MutableClock clock) {
    this.clock = clock;
  }

  /** As a builder's scheduler factory, remembering the thread name it was given. */
  Scheduler named(String threadName) {
    threadNames.add(threadName);
    return this;
  }

  List<String> threadNames() {
    return threadNames;
  }

  boolean isShutdown() {
    return shutdown;
  }

  @Override
  public Task schedule(Runnable task, Duration delay) {
    if (shutdown) {
      return () -> {};
    }
    Entry entry =
        new Entry(
            clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
    queue.add(entry);
    return () -> queue.remove(entry);
  }

  @Override
  public void shutdown() {
    shutdown = true;
    queue.clear();
  }

  /** When the next task is due, if any is scheduled. */
  Optional<Instant> nextDue() {
    return Optional.ofNullable(queue.peek()).map(e -> e.due);
  }

  /** Runs the next task, moving the clock to its time. */
  void runNext() {
    Entry entry = queue.poll();
    if (entry == null) {
      throw new IllegalStateException("nothing is scheduled");
    }
    if (entry.due.isAfter(clock.instant())) {
      clock.set(entry.due);
    }
    entry.task.run();
  }

  /** Runs every task due up to {@code until} in order, then leaves the clock at {@code until}. */
  void runUntil(Instant until) {
    for (int i = 0; !queue.isEmpty() && !queue.peek().due.isAfter(until); i++) {
      if (i > 100_000) {
        throw new IllegalStateException("tasks keep rescheduling themselves without end");
      }
      runNext();
    }
    if (until.isAfter(clock.instant())) {
      clock.set(until);
    }
  }

  void advance(Duration duration) {
    runUntil(clock.instant().plus(duration));
  }

  private record Entry(Instant due, long sequence, Runnable task) {}
}
