package dev.bulwark.keys;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ring files in memory. They are still encrypted under the master key, so this store exercises the
 * same code as the directory one.
 */
final class MemoryRingStore implements RingStore {
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  @Override
  public Optional<byte[]> read(String name) {
    return Optional.ofNullable(files.get(name)).map(byte[]::clone);
  }

  @Override
  public void write(String name, byte[] contents) {
    files.put(name, contents.clone());
  }

  @Override
  public List<String> names() {
    return List.copyOf(files.keySet());
  }
}
