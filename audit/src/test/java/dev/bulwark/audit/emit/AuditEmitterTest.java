package dev.bulwark.audit.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditEmitterTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final TestClock clock = new TestClock(Instant.parse("2026-11-23T12:00:00Z"));
  private final List<AuditEvent> delivered = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private AuditEmitter emitter;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (emitter != null) {
      emitter.close();
    }
  }

  private AuditEmitter.Builder emitter(AuditTransport transport) {
    return AuditEmitter.builder(transport)
        .name("payments")
        .clock(clock)
        .linger(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .dropReportInterval(Duration.ofMillis(20))
        .closeTimeout(Duration.ofSeconds(10));
  }

  private static List<AuditEvent> events(int count) {
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(
          AuditEvent.builder("payments", "payment.create", AuditEvent.Outcome.SUCCESS)
              .subject("user-" + i)
              .build());
    }
    return events;
  }

  private void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "condition not met within " + PATIENCE + "; emitter " + emitter.stats());
      }
      Thread.sleep(5);
    }
  }

  private List<AuditEvent> deliveredOf(String action) {
    return delivered.stream().filter(e -> e.action().equals(action)).toList();
  }

  @Test
  void deliversEverythingInOrderWhenTheTransportFailsThenRecovers() throws Exception {
    AtomicInteger failures = new AtomicInteger(3);
    emitter =
        emitter(
                batch -> {
                  if (failures.getAndDecrement() > 0) {
                    throw AuditDeliveryException.of(
                        AuditDeliveryException.Failure.UNAVAILABLE, "store failing");
                  }
                  delivered.addAll(batch);
                })
            .batchSize(64)
            .build();
    List<AuditEvent> events = events(1000);

    events.forEach(emitter::record);
    emitter.close();

    assertThat(delivered).containsExactlyElementsOf(events);
    AuditEmitterStats stats = emitter.stats();
    assertThat(stats.emitted()).isEqualTo(1000);
    assertThat(stats.delivered()).isEqualTo(1000);
    assertThat(stats.dropped()).isZero();
    assertThat(stats.pending()).isZero();
    assertThat(stats.retries()).isEqualTo(3);
    assertThat(stats.lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("audit.unavailable"));
  }

  @Test
  void keepsRecordingWhileTheTransportHangsCountsDropsAndReportsTheGapOnceItRecovers()
      throws Exception {
    AtomicLong toldTotal = new AtomicLong();
    emitter =
        emitter(
                batch -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw AuditDeliveryException.of(
                        AuditDeliveryException.Failure.INTERRUPTED, "interrupted");
                  }
                  delivered.addAll(batch);
                })
            .capacity(10)
            .batchSize(5)
            .dropListener((dropped, total) -> toldTotal.set(total))
            .build();
    List<AuditEvent> events = events(100);

    assertTimeoutPreemptively(PATIENCE, () -> events.forEach(emitter::record));

    // The sender may have taken its (hung) batch after the first drops, with an audit.dropped
    // event in it: count the emitter's own events too.
    await(() -> settled(emitter.stats()));
    AuditEmitterStats stats = emitter.stats();
    assertThat(stats.dropped()).isPositive();
    assertThat(stats.delivered()).isZero();
    long dropped = stats.dropped();
    await(() -> toldTotal.get() == dropped);

    release.countDown();
    await(() -> gapCount() == dropped);
    emitter.close();

    AuditEvent gap = deliveredOf(AuditEmitter.DROPPED_ACTION).getFirst();
    assertThat(gap.component()).isEqualTo("payments");
    assertThat(gap.attribute("since")).contains(clock.instant().toString());
    List<AuditEvent> kept = deliveredOf("payment.create");
    assertThat(kept).hasSize((int) (100 - dropped));
    assertThat(events).containsSubsequence(kept);
    AuditEmitterStats after = emitter.stats();
    assertThat(after.dropped()).isEqualTo(dropped);
    assertThat(after.delivered()).isEqualTo(after.emitted() - dropped);
    assertThat(after.pending()).isZero();
  }

  private static boolean settled(AuditEmitterStats stats) {
    return stats.dropped() + stats.pending() == stats.emitted();
  }

  private long gapCount() {
    return deliveredOf(AuditEmitter.DROPPED_ACTION).stream()
        .mapToLong(e -> Long.parseLong(e.attribute("count").orElseThrow()))
        .sum();
  }

  @Test
  void closeDeliversWhatIsStillBuffered() {
    emitter = emitter(delivered::addAll).batchSize(1000).linger(Duration.ofMinutes(1)).build();
    List<AuditEvent> events = events(10);

    events.forEach(emitter::record);
    emitter.close();

    assertThat(delivered).containsExactlyElementsOf(events);
    assertThat(emitter.stats().pending()).isZero();
  }

  @Test
  void closeCountsWhatItCouldNotDeliverInTimeAsDroppedAndTellsTheListener() {
    AtomicLong toldTotal = new AtomicLong();
    emitter =
        emitter(
                batch -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw AuditDeliveryException.of(
                      AuditDeliveryException.Failure.INTERRUPTED, "interrupted");
                })
            .closeTimeout(Duration.ofMillis(100))
            .dropListener((dropped, total) -> toldTotal.set(total))
            .build();

    events(10).forEach(emitter::record);
    emitter.close();

    AuditEmitterStats stats = emitter.stats();
    assertThat(stats.dropped()).isEqualTo(10);
    assertThat(stats.pending()).isZero();
    assertThat(stats.delivered()).isZero();
    assertThat(toldTotal.get()).isEqualTo(10);
  }

  @Test
  void eventRefusedByTheCollectorIsDroppedWithItsReasonAndTheRestDelivered() throws Exception {
    List<AuditEvent> events = events(5);
    AuditEvent bad = events.get(2);
    emitter =
        emitter(
                batch -> {
                  int index = batch.indexOf(bad);
                  if (index >= 0) {
                    throw AuditDeliveryException.rejected(index, "line " + (index + 1) + " bad");
                  }
                  delivered.addAll(batch);
                })
            .batchSize(5)
            .linger(Duration.ofMinutes(1))
            .build();

    events.forEach(emitter::record);
    await(() -> !deliveredOf(AuditEmitter.DROPPED_ACTION).isEmpty());
    emitter.close();

    List<AuditEvent> expected = new ArrayList<>(events);
    expected.remove(bad);
    assertThat(deliveredOf("payment.create")).containsExactlyElementsOf(expected);
    assertThat(deliveredOf(AuditEmitter.DROPPED_ACTION).getFirst().attribute("count"))
        .contains("1");
    AuditEmitterStats stats = emitter.stats();
    assertThat(stats.dropped()).isEqualTo(1);
    assertThat(stats.retries()).isZero();
    assertThat(stats.lastError())
        .hasValueSatisfying(e -> assertThat(e).startsWith("audit.rejected"));
  }

  @Test
  void wholeBatchRefusedWithoutALineIsDroppedAndNotRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    emitter =
        emitter(
                batch -> {
                  if (calls.getAndIncrement() == 0) {
                    throw AuditDeliveryException.of(
                        AuditDeliveryException.Failure.REJECTED, "bad body");
                  }
                  delivered.addAll(batch);
                })
            .batchSize(3)
            .linger(Duration.ofMinutes(1))
            .build();

    events(3).forEach(emitter::record);
    await(() -> !deliveredOf(AuditEmitter.DROPPED_ACTION).isEmpty());

    assertThat(emitter.stats().dropped()).isEqualTo(3);
    assertThat(emitter.stats().retries()).isZero();
    assertThat(deliveredOf(AuditEmitter.DROPPED_ACTION).getFirst().attribute("count"))
        .contains("3");
  }

  @Test
  void splitsABatchTheCollectorFindsTooLargeAndKeepsTheOrder() {
    emitter =
        emitter(
                batch -> {
                  if (batch.size() > 2) {
                    throw AuditDeliveryException.of(
                        AuditDeliveryException.Failure.TOO_LARGE, "413");
                  }
                  delivered.addAll(batch);
                })
            .batchSize(8)
            .linger(Duration.ofMinutes(1))
            .build();
    List<AuditEvent> events = events(8);

    events.forEach(emitter::record);
    emitter.close();

    assertThat(delivered).containsExactlyElementsOf(events);
    assertThat(emitter.stats().dropped()).isZero();
  }

  @Test
  void countsEventsRecordedAfterClose() {
    emitter = emitter(delivered::addAll).build();
    emitter.close();

    emitter.record(events(1).getFirst());

    assertThat(emitter.stats().dropped()).isEqualTo(1);
    assertThat(delivered).isEmpty();
  }

  @Test
  void keepsEveryEventFromManyThreadsWhenThereIsRoom() throws Exception {
    emitter = emitter(delivered::addAll).batchSize(100).build();
    List<Thread> threads = new ArrayList<>();
    List<AuditEvent> all = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      List<AuditEvent> mine = events(2500);
      all.addAll(mine);
      threads.add(Thread.ofPlatform().start(() -> mine.forEach(emitter::record)));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    emitter.close();

    assertThat(delivered).containsExactlyInAnyOrderElementsOf(all);
    assertThat(emitter.stats().dropped()).isZero();
  }

  @Test
  void doesNotLoopWhenTheCollectorRefusesItsOwnDropReport() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<AuditEvent> events = events(3);
    AuditEvent bad = events.get(0);
    emitter =
        emitter(
                batch -> {
                  calls.incrementAndGet();
                  if (batch.contains(bad)
                      || batch.stream()
                          .anyMatch(e -> e.action().equals(AuditEmitter.DROPPED_ACTION))) {
                    throw AuditDeliveryException.of(
                        AuditDeliveryException.Failure.REJECTED, "refused");
                  }
                  delivered.addAll(batch);
                })
            .batchSize(1)
            .build();

    emitter.record(bad);
    await(() -> emitter.stats().dropped() == 2);
    emitter.record(events.get(1));
    emitter.record(events.get(2));
    emitter.close();

    assertThat(delivered).containsExactly(events.get(1), events.get(2));
    assertThat(emitter.stats().dropped()).isEqualTo(2);
    assertThat(calls.get()).isLessThanOrEqualTo(4);
  }

  @Test
  void buildRequiresANameAndSaneSizes() {
    assertThatThrownBy(() -> AuditEmitter.builder(batch -> {}).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> AuditEmitter.builder(batch -> {}).capacity(0))
        .hasMessageContaining("capacity: 0");
    assertThatThrownBy(
            () ->
                AuditEmitter.builder(batch -> {})
                    .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("max");
  }
}
