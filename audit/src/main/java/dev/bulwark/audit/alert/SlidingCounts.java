package dev.bulwark.audit.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-key counts of occurrences within a sliding window, and whether a key is due an alert (at most
 * one per key per window). Memory is bounded twice: each key keeps {@value #BUCKETS} counters
 * whatever its rate, and at most {@code maxKeys} keys are kept — the least recently seen go first,
 * expired ones before any other. Thread-safe.
 *
 * <p>The window slides in steps of 1/{@value #BUCKETS} of its length: an occurrence is counted
 * until the step it fell in leaves the window.
 */
final class SlidingCounts {
  static final int BUCKETS = 20;

  private final int threshold;
  private final long stepMillis;
  private final long windowMillis;
  private final int maxKeys;
  // Access order: the eldest entry is the key seen longest ago.
  private final LinkedHashMap<String, KeyState> keys = new LinkedHashMap<>(64, 0.75f, true);

  SlidingCounts(int threshold, Duration window, int maxKeys) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold: " + threshold + " (expected: > 0)");
    }
    if (window.toMillis() < BUCKETS) {
      throw new IllegalArgumentException(
          "window: " + window + " (expected: at least " + BUCKETS + " ms)");
    }
    this.threshold = threshold;
    this.windowMillis = window.toMillis();
    this.stepMillis = Math.max(1, windowMillis / BUCKETS);
    this.maxKeys = maxKeys;
  }

  /**
   * Counts one occurrence for {@code key} at {@code now}; returns the count within the window if it
   * reached the threshold and no alert was raised for the key within the window, else 0.
   */
  synchronized long hit(String key, Instant now) {
    long nowMillis = now.toEpochMilli();
    KeyState state = keys.get(key);
    if (state == null) {
      if (keys.size() >= maxKeys) {
        evict(nowMillis);
      }
      state = new KeyState();
      keys.put(key, state);
    }
    long step = Math.floorDiv(nowMillis, stepMillis);
    int slot = (int) Math.floorMod(step, (long) BUCKETS);
    if (state.steps[slot] != step) {
      state.steps[slot] = step;
      state.counts[slot] = 0;
    }
    state.counts[slot]++;
    state.lastSeenMillis = nowMillis;
    long count = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (state.steps[i] > step - BUCKETS && state.steps[i] <= step) {
        count += state.counts[i];
      }
    }
    if (count < threshold) {
      return 0;
    }
    if (state.alerted && nowMillis - state.lastAlertMillis < windowMillis) {
      return 0;
    }
    state.alerted = true;
    state.lastAlertMillis = nowMillis;
    return count;
  }

  synchronized int size() {
    return keys.size();
  }

  private void evict(long nowMillis) {
    Iterator<Map.Entry<String, KeyState>> eldest = keys.entrySet().iterator();
    // Keys unseen for a whole window count nothing and their last alert is over: forget them.
    while (eldest.hasNext()) {
      KeyState state = eldest.next().getValue();
      if (nowMillis - state.lastSeenMillis < windowMillis) {
        break;
      }
      eldest.remove();
    }
    if (keys.size() >= maxKeys) {
      Iterator<Map.Entry<String, KeyState>> first = keys.entrySet().iterator();
      first.next();
      first.remove();
    }
  }

  private static final class KeyState {
    final long[] steps = new long[BUCKETS];
    final long[] counts = new long[BUCKETS];
    long lastSeenMillis;
    long lastAlertMillis;
    boolean alerted;

    KeyState() {
      java.util.Arrays.fill(steps, Long.MIN_VALUE);
    }
  }
}
