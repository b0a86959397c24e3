package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Random;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A key ring whose KEKs are AES-256-GCM keys of one Tink keyset, kept in a {@link RingStore}
 * encrypted under the master key. Reads use an immutable snapshot; changes are serialized, written
 * through to the store, and only then published.
 */
final class EnvelopeKeyRing implements KeyRing {
  private static final int KEY_BYTES = 32;
  private static final AesGcmParameters KEK_PARAMETERS = aes256GcmNoPrefix();

  private final String name;
  private final Aead master;
  private final RingStore store;
  private final Clock clock;
  private final Object changes = new Object();
  private volatile Snapshot snapshot;

  private EnvelopeKeyRing(
      String name, Aead master, RingStore store, Clock clock, Snapshot snapshot) {
    this.name = name;
    this.master = master;
    this.store = store;
    this.clock = clock;
    this.snapshot = snapshot;
  }

  /** A new ring with one enabled, primary version, written to {@code store}. */
  static EnvelopeKeyRing create(String name, Aead master, RingStore store, Clock clock) {
    KeyVersion first = new KeyVersion(1, KeyVersion.State.ENABLED, true, clock.instant());
    Snapshot snapshot = Snapshot.of(List.of(first), Map.of(1, newKek()));
    EnvelopeKeyRing ring = new EnvelopeKeyRing(name, master, store, clock, snapshot);
    ring.persist(snapshot);
    return ring;
  }

  /**
   * The ring as stored.
   *
   * @throws KeysException {@code MASTER_KEY_INVALID} if the master key does not open it, {@code
   *     STORE_FAILED} if the file is corrupt
   */
  static EnvelopeKeyRing load(
      String name, byte[] stored, Aead master, RingStore store, Clock clock) {
    RingFile file = RingFile.fromJson(stored, name);
    KeysetHandle keyset;
    try {
      keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              file.encryptedKeyset(),
              master,
              RingFile.associatedData(name, file.versions()),
              RegistryConfiguration.get());
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "key ring '"
              + name
              + "' does not open under this master key: wrong master key, or the ring file was"
              + " altered",
          e);
    }
    Map<Integer, AesGcmKey> keys = new HashMap<>();
    for (int i = 0; i < keyset.size(); i++) {
      KeysetHandle.Entry entry = keyset.getAt(i);
      if (!(entry.getKey() instanceof AesGcmKey key)
          || !key.getParameters().equals(KEK_PARAMETERS)) {
        throw corrupt(name, "key " + entry.getId() + " is not an AES-256-GCM key");
      }
      keys.put(entry.getId(), key);
    }
    for (KeyVersion v : file.versions()) {
      boolean hasKey = keys.containsKey(v.version());
      if (hasKey == (v.state() == KeyVersion.State.DESTROYED)) {
        throw corrupt(
            name, "version " + v.version() + " is " + v.state() + " but has key " + hasKey);
      }
    }
    if (keys.size()
        != file.versions().stream().filter(v -> v.state() != KeyVersion.State.DESTROYED).count()) {
      throw corrupt(name, "the keyset holds keys of no version");
    }
    return new EnvelopeKeyRing(name, master, store, clock, Snapshot.of(file.versions(), keys));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int primaryVersion() {
    return snapshot.primary;
  }

  @Override
  public List<KeyVersion> versions() {
    return snapshot.versions;
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(associatedData, "associatedData");
    Snapshot current = snapshot;
    byte[] dataKey = Random.randBytes(KEY_BYTES);
    try {
      byte[] payload = dataKeyAead(dataKey).encrypt(plaintext, associatedData);
      byte[] wrapped = wrap(current, Envelope.Kind.CIPHERTEXT, dataKey);
      return new Envelope(Envelope.Kind.CIPHERTEXT, current.primary, wrapped, payload).toBytes();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
    requireNonNull(ciphertext, "ciphertext");
    requireNonNull(associatedData, "associatedData");
    Envelope envelope = Envelope.parse(ciphertext, Envelope.Kind.CIPHERTEXT);
    byte[] dataKey = unwrap(snapshot, envelope);
    try {
      return dataKeyAead(dataKey).decrypt(envelope.payload(), associatedData);
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.DECRYPT_FAILED,
          "ciphertext does not decrypt with key ring '"
              + name
              + "': wrong associated data, or tampered bytes");
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public DataKey generateDataKey() {
    Snapshot current = snapshot;
    byte[] dataKey = Random.randBytes(KEY_BYTES);
    try {
      byte[] wrapped = wrap(current, Envelope.Kind.DATA_KEY, dataKey);
      return new DataKey(
          dataKey,
          new Envelope(Envelope.Kind.DATA_KEY, current.primary, wrapped, new byte[0]).toBytes(),
          current.primary);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public byte[] decryptDataKey(byte[] wrappedKey) {
    requireNonNull(wrappedKey, "wrappedKey");
    return unwrap(snapshot, Envelope.parse(wrappedKey, Envelope.Kind.DATA_KEY));
  }

  @Override
  public byte[] rewrap(byte[] ciphertext) {
    requireNonNull(ciphertext, "ciphertext");
    Envelope envelope = Envelope.parse(ciphertext);
    Snapshot current = snapshot;
    if (envelope.version() == current.primary) {
      return ciphertext.clone();
    }
    byte[] dataKey = unwrap(current, envelope);
    try {
      byte[] wrapped = wrap(current, envelope.kind(), dataKey);
      return envelope.withWrappedKey(current.primary, wrapped).toBytes();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public int versionOf(byte[] ciphertext) {
    requireNonNull(ciphertext, "ciphertext");
    return Envelope.versionOf(ciphertext);
  }

  @Override
  public KeyVersion rotate() {
    synchronized (changes) {
      Snapshot current = snapshot;
      int next = current.versions.getLast().version() + 1;
      KeyVersion added = new KeyVersion(next, KeyVersion.State.ENABLED, true, clock.instant());
      List<KeyVersion> versions = new ArrayList<>();
      for (KeyVersion v : current.versions) {
        versions.add(new KeyVersion(v.version(), v.state(), false, v.created()));
      }
      versions.add(added);
      Map<Integer, AesGcmKey> keys = new HashMap<>(current.keys);
      keys.put(next, newKek());
      publish(Snapshot.of(versions, keys));
      return added;
    }
  }

  @Override
  public KeyVersion disable(int version) {
    synchronized (changes) {
      KeyVersion v = find(version);
      if (v.primary()) {
        throw new KeysException(
            KeysException.Code.ILLEGAL_STATE,
            "version "
                + version
                + " of key ring '"
                + name
                + "' is the primary (expected: a non-primary version; rotate first)");
      }
      return switch (v.state()) {
        case DISABLED -> v;
        case DESTROYED -> throw illegal(v, "it is destroyed");
        case ENABLED -> replace(v, KeyVersion.State.DISABLED, snapshot.keys);
      };
    }
  }

  @Override
  public KeyVersion enable(int version) {
    synchronized (changes) {
      KeyVersion v = find(version);
      return switch (v.state()) {
        case ENABLED -> v;
        case DESTROYED -> throw illegal(v, "it is destroyed; its key material is gone");
        case DISABLED -> replace(v, KeyVersion.State.ENABLED, snapshot.keys);
      };
    }
  }

  @Override
  public KeyVersion destroy(int version) {
    synchronized (changes) {
      KeyVersion v = find(version);
      return switch (v.state()) {
        case DESTROYED -> v;
        case ENABLED -> throw illegal(v, "it is enabled (expected: disabled; disable it first)");
        case DISABLED -> {
          Map<Integer, AesGcmKey> keys = new HashMap<>(snapshot.keys);
          keys.remove(version);
          yield replace(v, KeyVersion.State.DESTROYED, keys);
        }
      };
    }
  }

  @Override
  public String toString() {
    return "KeyRing{name=" + name + ", primary=" + snapshot.primary + "}";
  }

  private KeyVersion find(int version) {
    return snapshot.versions.stream()
        .filter(v -> v.version() == version)
        .findFirst()
        .orElseThrow(
            () ->
                new KeysException(
                    KeysException.Code.VERSION_NOT_FOUND,
                    "key ring '"
                        + name
                        + "' has no version "
                        + version
                        + " (expected: 1 to "
                        + snapshot.versions.getLast().version()
                        + ")"));
  }

  private KeyVersion replace(KeyVersion old, KeyVersion.State state, Map<Integer, AesGcmKey> keys) {
    KeyVersion changed = new KeyVersion(old.version(), state, false, old.created());
    List<KeyVersion> versions =
        snapshot.versions.stream().map(v -> v.version() == old.version() ? changed : v).toList();
    publish(Snapshot.of(versions, keys));
    return changed;
  }

  private KeysException illegal(KeyVersion v, String why) {
    return new KeysException(
        KeysException.Code.ILLEGAL_STATE,
        "version " + v.version() + " of key ring '" + name + "': " + why);
  }

  // Written first, published after: a failed write leaves the ring as it was, in memory and on
  // disk.
  private void publish(Snapshot next) {
    persist(next);
    snapshot = next;
  }

  private void persist(Snapshot next) {
    try {
      KeysetHandle.Builder builder = KeysetHandle.newBuilder();
      for (KeyVersion v : next.versions) {
        AesGcmKey key = next.keys.get(v.version());
        if (key == null) {
          continue;
        }
        KeysetHandle.Builder.Entry entry =
            KeysetHandle.importKey(key)
                .withFixedId(v.version())
                .setStatus(
                    v.state() == KeyVersion.State.ENABLED ? KeyStatus.ENABLED : KeyStatus.DISABLED);
        if (v.primary()) {
          entry.makePrimary();
        }
        builder.addEntry(entry);
      }
      byte[] encrypted =
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              builder.build(),
              master,
              RingFile.associatedData(name, next.versions),
              RegistryConfiguration.get());
      store.write(name, new RingFile(name, next.versions, encrypted).toJson());
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.STORE_FAILED,
          "cannot encrypt key ring '" + name + "' under the master key: " + e.getMessage(),
          e);
    }
  }

  private byte[] wrap(Snapshot current, Envelope.Kind kind, byte[] dataKey)
      throws GeneralSecurityException {
    return current
        .keks
        .get(current.primary)
        .encrypt(dataKey, Envelope.wrapContext(kind, current.primary, name));
  }

  private byte[] unwrap(Snapshot current, Envelope envelope) {
    int version = envelope.version();
    KeyVersion v =
        current.versions.stream()
            .filter(candidate -> candidate.version() == version)
            .findFirst()
            .orElseThrow(
                () ->
                    new KeysException(
                        KeysException.Code.DECRYPT_FAILED,
                        "key ring '"
                            + name
                            + "' has no version "
                            + version
                            + ": a ciphertext of another ring, or tampered bytes"));
    switch (v.state()) {
      case DISABLED ->
          throw new KeysException(
              KeysException.Code.VERSION_DISABLED,
              "version "
                  + version
                  + " of key ring '"
                  + name
                  + "' is disabled: enable it to decrypt what it wrapped");
      case DESTROYED ->
          throw new KeysException(
              KeysException.Code.VERSION_DESTROYED,
              "version "
                  + version
                  + " of key ring '"
                  + name
                  + "' was destroyed: what it wrapped is lost");
      case ENABLED -> {}
    }
    try {
      byte[] dataKey =
          current
              .keks
              .get(version)
              .decrypt(envelope.wrappedKey(), Envelope.wrapContext(envelope.kind(), version, name));
      if (dataKey.length != KEY_BYTES) {
        throw new GeneralSecurityException("unwrapped key of " + dataKey.length + " bytes");
      }
      return dataKey;
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.DECRYPT_FAILED,
          "the data key does not unwrap with version "
              + version
              + " of key ring '"
              + name
              + "': a ciphertext of another ring, or tampered bytes");
    }
  }

  private static Aead dataKeyAead(byte[] dataKey) throws GeneralSecurityException {
    return AesGcmJce.create(
        AesGcmKey.builder()
            .setParameters(KEK_PARAMETERS)
            .setKeyBytes(SecretBytes.copyFrom(dataKey, InsecureSecretKeyAccess.get()))
            .build());
  }

  private static AesGcmKey newKek() {
    try {
      return AesGcmKey.builder()
          .setParameters(KEK_PARAMETERS)
          .setKeyBytes(SecretBytes.randomBytes(KEY_BYTES))
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create an AES-256-GCM key", e);
    }
  }

  private static AesGcmParameters aes256GcmNoPrefix() {
    try {
      // No Tink prefix: the envelope's header already names the version.
      return AesGcmParameters.builder()
          .setKeySizeBytes(KEY_BYTES)
          .setIvSizeBytes(12)
          .setTagSizeBytes(16)
          .setVariant(AesGcmParameters.Variant.NO_PREFIX)
          .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static KeysException corrupt(String name, String why) {
    return new KeysException(
        KeysException.Code.STORE_FAILED, "the file of key ring '" + name + "' is corrupt: " + why);
  }

  /** One consistent view of the ring: its versions and the usable key of each. */
  private static final class Snapshot {
    final List<KeyVersion> versions;
    final Map<Integer, AesGcmKey> keys;
    final Map<Integer, Aead> keks;
    final int primary;

    private Snapshot(
        List<KeyVersion> versions, Map<Integer, AesGcmKey> keys, Map<Integer, Aead> keks) {
      this.versions = versions;
      this.keys = keys;
      this.keks = keks;
      this.primary =
          versions.stream()
              .filter(KeyVersion::primary)
              .mapToInt(KeyVersion::version)
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("a key ring without a primary"));
    }

    static Snapshot of(List<KeyVersion> versions, Map<Integer, AesGcmKey> keys) {
      Map<Integer, Aead> keks = new HashMap<>();
      try {
        for (Map.Entry<Integer, AesGcmKey> e : keys.entrySet()) {
          keks.put(e.getKey(), AesGcmJce.create(e.getValue()));
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot use an AES-256-GCM key", e);
      }
      List<KeyVersion> sorted =
          versions.stream().sorted(java.util.Comparator.comparingInt(KeyVersion::version)).toList();
      return new Snapshot(sorted, Map.copyOf(keys), Map.copyOf(keks));
    }
  }
}
