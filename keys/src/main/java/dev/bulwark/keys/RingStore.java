package dev.bulwark.keys;

import java.util.List;
import java.util.Optional;

/** Where key ring files live: a directory, or memory for tests and embedded use. */
interface RingStore {
  /** The stored bytes of ring {@code name}, if it exists. */
  Optional<byte[]> read(String name);

  /** Replaces ring {@code name} with {@code contents}, all or nothing. */
  void write(String name, byte[] contents);

  /** The names of the stored rings, in no particular order. */
  List<String> names();
}
