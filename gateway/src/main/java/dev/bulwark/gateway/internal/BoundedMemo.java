package dev.bulwark.gateway.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Values remembered by key, at most a fixed number at once: past it the memo starts over rather
 * than track recency on every request. For outcomes the gateway can recompute at will (a contract
 * check, a Cedar request's parts), so forgetting costs time, never correctness.
 */
public final class BoundedMemo<V> {
  private final int maxEntries;
  private final Map<String, V> entries = new ConcurrentHashMap<>();

  /** A memo of at most {@code maxEntries} values. */
  public BoundedMemo(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: at least 1)");
    }
    this.maxEntries = maxEntries;
  }

  /** The value remembered under {@code key}, or null. */
  public V get(String key) {
    return entries.get(key);
  }

  /** Remembers {@code value} under {@code key}. */
  public void put(String key, V value) {
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.put(key, value);
  }

  /** How many values are remembered now. */
  public int size() {
    return entries.size();
  }
}
