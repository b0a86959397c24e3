package dev.bulwark.keys;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The key rings of one installation, by name. Safe for concurrent use. */
public interface KeyRings {
  /**
   * Key rings kept in {@code directory}, one file {@code <ring>.json} (mode 0600) each, holding the
   * ring's keyset encrypted under {@code master}. The directory is created (mode 0700) if absent;
   * one that others may read is refused. One process should open a directory at a time.
   *
   * @throws KeysException {@code STORE_FAILED} if the directory cannot be used or is open to others
   */
  static KeyRings open(Path directory, MasterKey master, Clock clock) {
    return new StoredKeyRings(master, new DirectoryRingStore(directory), clock);
  }

  /**
   * Key rings that live only as long as this object: for tests, and for embedded use where nothing
   * needs to survive a restart.
   */
  static KeyRings inMemory(MasterKey master, Clock clock) {
    return new StoredKeyRings(master, new MemoryRingStore(), clock);
  }

  /**
   * The ring called {@code name}, created with one version if it does not exist. Names are 1 to 64
   * characters of {@code a-z 0-9 . _ -}, starting with a letter or digit.
   */
  KeyRing ring(String name);

  /** The ring called {@code name}, if it exists. */
  Optional<KeyRing> find(String name);

  /** Every ring's name, sorted. */
  List<String> names();
}
