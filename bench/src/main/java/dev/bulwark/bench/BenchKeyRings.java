package dev.bulwark.bench;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import dev.bulwark.keys.DataKey;
import dev.bulwark.keys.KeyRing;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.KeyVersion;
import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.KeysException.Code;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An in-memory stand-in for the keys module's {@link KeyRings}, for the keys service benchmark
 * until the real one lands: envelope encryption with Tink AES-256-GCM, each version's KEK a fresh
 * keyset. Formats: a wrapped data key is {@code version (4 bytes) || KEK-AEAD(dek, ring/version)};
 * a ciphertext is {@code wrappedLength (4) || wrapped || DEK-AEAD(plaintext, associatedData)}.
 */
final class BenchKeyRings implements KeyRings {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Map<String, Ring> rings = new TreeMap<>();

  @Override
  public synchronized KeyRing ring(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new KeysException(Code.INVALID_ARGUMENT, "ring name: '" + name + "'");
    }
    return rings.computeIfAbsent(name, Ring::new);
  }

  @Override
  public synchronized Optional<KeyRing> find(String name) {
    return Optional.ofNullable(rings.get(name));
  }

  @Override
  public synchronized List<String> names() {
    return List.copyOf(rings.keySet());
  }

  private static final class Version {
    final int number;
    final Instant created = Instant.now();
    KeyVersion.State state = KeyVersion.State.ENABLED;
    Aead kek;

    Version(int number) {
      this.number = number;
      try {
        this.kek =
            KeysetHandle.generateNew(
                    PredefinedAeadParameters.AES256_GCM, RegistryConfiguration.get())
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final class Ring implements KeyRing {
    private final String name;
    private final List<Version> versions = new ArrayList<>();
    private int primary;

    Ring(String name) {
      this.name = name;
      rotate();
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public synchronized int primaryVersion() {
      return primary;
    }

    @Override
    public synchronized List<KeyVersion> versions() {
      return versions.stream().map(this::view).toList();
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
      DataKey key = generateDataKey();
      byte[] wrapped = key.wrapped();
      byte[] payload = seal(key.plaintext(), plaintext, associatedData);
      return ByteBuffer.allocate(4 + wrapped.length + payload.length)
          .putInt(wrapped.length)
          .put(wrapped)
          .put(payload)
          .array();
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
      Parts parts = Parts.of(ciphertext);
      byte[] dek = decryptDataKey(parts.wrapped);
      try {
        return dataAead(dek).decrypt(parts.payload, associatedData);
      } catch (GeneralSecurityException e) {
        throw new KeysException(Code.DECRYPT_FAILED, "ciphertext does not decrypt");
      }
    }

    @Override
    public synchronized DataKey generateDataKey() {
      byte[] dek = new byte[32];
      RANDOM.nextBytes(dek);
      Version version = versions.get(primary - 1);
      try {
        byte[] sealed = version.kek.encrypt(dek, context(version.number));
        byte[] wrapped =
            ByteBuffer.allocate(4 + sealed.length).putInt(version.number).put(sealed).array();
        return new DataKey(dek, wrapped, version.number);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public synchronized byte[] decryptDataKey(byte[] wrappedKey) {
      Version version = usable(versionOf(wrappedKey));
      try {
        return version.kek.decrypt(
            java.util.Arrays.copyOfRange(wrappedKey, 4, wrappedKey.length),
            context(version.number));
      } catch (GeneralSecurityException e) {
        throw new KeysException(Code.DECRYPT_FAILED, "data key does not unwrap");
      }
    }

    @Override
    public synchronized byte[] rewrap(byte[] ciphertext) {
      Parts parts = Parts.of(ciphertext);
      if (versionOf(parts.wrapped) == primary) {
        return ciphertext.clone();
      }
      byte[] dek = decryptDataKey(parts.wrapped);
      Version version = versions.get(primary - 1);
      try {
        byte[] sealed = version.kek.encrypt(dek, context(version.number));
        return ByteBuffer.allocate(4 + 4 + sealed.length + parts.payload.length)
            .putInt(4 + sealed.length)
            .putInt(version.number)
            .put(sealed)
            .put(parts.payload)
            .array();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public synchronized int versionOf(byte[] ciphertext) {
      if (ciphertext.length < 4) {
        throw new KeysException(Code.DECRYPT_FAILED, "too short");
      }
      int first = ByteBuffer.wrap(ciphertext).getInt();
      // A ciphertext starts with its wrapped key's length, a wrapped key with its version.
      if (first > versions.size() && ciphertext.length >= 8 + 4) {
        return Parts.of(ciphertext).version();
      }
      if (first < 1 || first > versions.size()) {
        throw new KeysException(Code.DECRYPT_FAILED, "unknown version");
      }
      return first;
    }

    @Override
    public synchronized KeyVersion rotate() {
      Version created = new Version(versions.size() + 1);
      versions.add(created);
      primary = created.number;
      return view(created);
    }

    @Override
    public synchronized KeyVersion disable(int version) {
      Version v = existing(version);
      if (v.number == primary || v.state == KeyVersion.State.DESTROYED) {
        throw new KeysException(Code.ILLEGAL_STATE, "cannot disable version " + version);
      }
      v.state = KeyVersion.State.DISABLED;
      return view(v);
    }

    @Override
    public synchronized KeyVersion enable(int version) {
      Version v = existing(version);
      if (v.state == KeyVersion.State.DESTROYED) {
        throw new KeysException(Code.ILLEGAL_STATE, "version " + version + " is destroyed");
      }
      v.state = KeyVersion.State.ENABLED;
      return view(v);
    }

    @Override
    public synchronized KeyVersion destroy(int version) {
      Version v = existing(version);
      if (v.state != KeyVersion.State.DISABLED) {
        throw new KeysException(Code.ILLEGAL_STATE, "disable version " + version + " first");
      }
      v.state = KeyVersion.State.DESTROYED;
      v.kek = null;
      return view(v);
    }

    private Version existing(int version) {
      if (version < 1 || version > versions.size()) {
        throw new KeysException(Code.VERSION_NOT_FOUND, "no version " + version);
      }
      return versions.get(version - 1);
    }

    private Version usable(int version) {
      Version v = existing(version);
      return switch (v.state) {
        case ENABLED -> v;
        case DISABLED -> throw new KeysException(Code.VERSION_DISABLED, "version disabled");
        case DESTROYED -> throw new KeysException(Code.VERSION_DESTROYED, "version destroyed");
      };
    }

    private KeyVersion view(Version v) {
      return new KeyVersion(v.number, v.state, v.number == primary, v.created);
    }

    private byte[] context(int version) {
      return (name + "/" + version).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] seal(byte[] dek, byte[] plaintext, byte[] associatedData) {
      try {
        return dataAead(dek).encrypt(plaintext, associatedData);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private static Aead dataAead(byte[] dek) {
      try {
        AesGcmKey key =
            AesGcmKey.builder()
                .setParameters(
                    AesGcmParameters.builder()
                        .setKeySizeBytes(32)
                        .setIvSizeBytes(12)
                        .setTagSizeBytes(16)
                        .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                        .build())
                .setKeyBytes(SecretBytes.copyFrom(dek, InsecureSecretKeyAccess.get()))
                .build();
        return KeysetHandle.newBuilder()
            .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary())
            .build()
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private record Parts(byte[] wrapped, byte[] payload) {
    static Parts of(byte[] ciphertext) {
      if (ciphertext.length < 8) {
        throw new KeysException(Code.DECRYPT_FAILED, "too short");
      }
      int length = ByteBuffer.wrap(ciphertext).getInt();
      if (length < 4 || length > ciphertext.length - 4) {
        throw new KeysException(Code.DECRYPT_FAILED, "malformed");
      }
      return new Parts(
          java.util.Arrays.copyOfRange(ciphertext, 4, 4 + length),
          java.util.Arrays.copyOfRange(ciphertext, 4 + length, ciphertext.length));
    }

    int version() {
      return ByteBuffer.wrap(wrapped).getInt();
    }
  }
}
