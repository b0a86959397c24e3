package dev.bulwark.keys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Sealed records in memory, counting how often each is replaced. */
final class TestSealedRecords implements SealedRecords {
  private final String name;
  private final NavigableMap<String, byte[]> values = new TreeMap<>();
  final Map<String, AtomicInteger> replacements = new ConcurrentHashMap<>();

  TestSealedRecords(String name) {
    this.name = name;
  }

  /** {@code count} records {@code r000}, {@code r001}..., sealed by {@code sealer}. */
  static TestSealedRecords sealedBy(String name, SecretSealer sealer, int count) {
    TestSealedRecords records = new TestSealedRecords(name);
    for (int i = 0; i < count; i++) {
      String id = "r%03d".formatted(i);
      records.put(id, sealer.seal(("secret " + i).getBytes(), records.context(id)));
    }
    return records;
  }

  synchronized void put(String id, byte[] value) {
    values.put(id, value.clone());
  }

  synchronized byte[] get(String id) {
    return values.get(id).clone();
  }

  synchronized List<String> ids() {
    return List.copyOf(values.keySet());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized long count() {
    return values.size();
  }

  @Override
  public synchronized List<SealedRecord> page(Optional<String> after, int limit) {
    var tail = after.map(a -> values.tailMap(a, false)).orElse(values);
    List<SealedRecord> page = new ArrayList<>();
    for (var entry : tail.entrySet()) {
      if (page.size() == limit) {
        break;
      }
      page.add(new SealedRecord(entry.getKey(), entry.getValue()));
    }
    return page;
  }

  @Override
  public synchronized boolean replace(String id, byte[] expected, byte[] replacement) {
    byte[] current = values.get(id);
    if (current == null || !Arrays.equals(current, expected)) {
      return false;
    }
    values.put(id, replacement.clone());
    replacements.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    return true;
  }

  @Override
  public String context(String id) {
    return name + "/" + id;
  }
}
