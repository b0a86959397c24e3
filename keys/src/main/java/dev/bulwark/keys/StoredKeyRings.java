package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Key rings kept in a {@link RingStore}, each loaded once and then served from memory. */
final class StoredKeyRings implements KeyRings {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final MasterKey master;
  private final RingStore store;
  private final Clock clock;
  private final Map<String, EnvelopeKeyRing> rings = new ConcurrentHashMap<>();
  private final Object loading = new Object();

  StoredKeyRings(MasterKey master, RingStore store, Clock clock) {
    this.master = requireNonNull(master, "master");
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  @Override
  public KeyRing ring(String name) {
    validate(name);
    EnvelopeKeyRing loaded = rings.get(name);
    if (loaded != null) {
      return loaded;
    }
    synchronized (loading) {
      return rings.computeIfAbsent(
          name,
          n ->
              store
                  .read(n)
                  .map(bytes -> EnvelopeKeyRing.load(n, bytes, master.aead(), store, clock))
                  .orElseGet(() -> EnvelopeKeyRing.create(n, master.aead(), store, clock)));
    }
  }

  @Override
  public Optional<KeyRing> find(String name) {
    validate(name);
    EnvelopeKeyRing loaded = rings.get(name);
    if (loaded != null) {
      return Optional.of(loaded);
    }
    synchronized (loading) {
      Optional<byte[]> stored = store.read(name);
      if (stored.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          rings.computeIfAbsent(
              name, n -> EnvelopeKeyRing.load(n, stored.get(), master.aead(), store, clock)));
    }
  }

  @Override
  public List<String> names() {
    return store.names().stream().sorted().toList();
  }

  @Override
  public String toString() {
    return "KeyRings{master=" + master.origin() + "}";
  }

  private static void validate(String name) {
    requireNonNull(name, "name");
    if (!isValidName(name)) {
      throw new KeysException(
          KeysException.Code.INVALID_ARGUMENT,
          "ring name: '"
              + name
              + "' (expected: 1 to 64 characters of a-z 0-9 . _ -, starting with a letter or"
              + " digit)");
    }
  }
}
