package dev.bulwark.sdk.keys;

import static java.util.Objects.requireNonNull;

import dev.bulwark.sdk.keys.KeysClientException.Code;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the fields of records locally with AES-256-GCM (the JDK's implementation), under data
 * keys from the keys service, and binds every ciphertext to its ring, record id and field name: a
 * ciphertext copied into another record or another field does not decrypt.
 *
 * <p>A data key is fetched once and reused for a bounded time and number of encryptions ({@link
 * Builder#dataKeyLifetime}, {@link Builder#dataKeyUses}), so most encryptions make no call. Its
 * wrapped form travels inside each ciphertext; decryption unwraps it through the service (the
 * DECRYPT permission on the ring), and keeps a bounded number of unwrapped keys for the same
 * lifetime. A revoked permission therefore takes effect within that lifetime.
 *
 * <p>Ciphertext format, version 1: {@code 0x01 || wrapped length (2 bytes, big-endian) || wrapped
 * data key || nonce (12 bytes) || AES-GCM ciphertext and tag (16 bytes)}. The associated data is
 * {@code "bulwark.field.v1"}, the ring, the record id and the field, each prefixed by its length in
 * 4 bytes so that no two different triples encode alike, followed by the header up to the nonce.
 *
 * <p>Safe for concurrent use.
 */
public final class FieldEncryptor {
  private static final byte FORMAT = 1;
  private static final byte[] LABEL = "bulwark.field.v1".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MAX_WRAPPED_BYTES = 0xFFFF;
  // NIST SP 800-38D §8.3: at most 2^32 encryptions under one key with random 96-bit nonces.
  private static final long MAX_USES = 1L << 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeysClient client;
  private final String ring;
  private final Duration lifetime;
  private final long uses;
  private final int cacheSize;
  private final Clock clock;
  private final Map<String, CachedKey> unwrapped;
  private CachedKey current;
  private long used;

  private FieldEncryptor(Builder builder) {
    this.client = builder.client;
    this.ring = builder.ring;
    this.lifetime = builder.lifetime;
    this.uses = builder.uses;
    this.cacheSize = builder.cacheSize;
    this.clock = builder.clock;
    this.unwrapped =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, CachedKey> eldest) {
            return size() > cacheSize;
          }
        };
  }

  /** A builder for fields protected by {@code ring} through {@code client}. */
  public static Builder builder(KeysClient client, String ring) {
    return new Builder(client, ring);
  }

  /** The ring whose data keys protect the fields. */
  public String ring() {
    return ring;
  }

  /**
   * Encrypts {@code value}, the field {@code field} of the record {@code recordId}.
   *
   * @throws KeysClientException if a data key is needed and the service refuses or is unreachable
   */
  public byte[] encrypt(String recordId, String field, byte[] value) {
    requireNonNull(value, "value");
    byte[] binding = binding(recordId, field);
    CachedKey key = keyForEncryption();
    byte[] wrapped = key.wrapped;
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] header = header(wrapped);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(binding);
      cipher.updateAAD(header);
      byte[] sealed = cipher.doFinal(value);
      return ByteBuffer.allocate(header.length + NONCE_BYTES + sealed.length)
          .put(header)
          .put(nonce)
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JDK: " + e, e);
    }
  }

  /**
   * Decrypts a value of {@link #encrypt} for the same record and field.
   *
   * @throws KeysClientException {@code DECRYPT_FAILED} if it belongs to another ring, record or
   *     field, or was altered; the service's refusal ({@code FORBIDDEN}, {@code VERSION_DISABLED},
   *     {@code UNAVAILABLE}...) if its data key cannot be unwrapped
   */
  public byte[] decrypt(String recordId, String field, byte[] ciphertext) {
    requireNonNull(ciphertext, "ciphertext");
    byte[] binding = binding(recordId, field);
    if (ciphertext.length < 3 || ciphertext[0] != FORMAT) {
      throw malformed();
    }
    int wrappedLength = ((ciphertext[1] & 0xFF) << 8) | (ciphertext[2] & 0xFF);
    int headerLength = 3 + wrappedLength;
    if (wrappedLength == 0 || ciphertext.length < headerLength + NONCE_BYTES + TAG_BITS / 8) {
      throw malformed();
    }
    byte[] header = Arrays.copyOfRange(ciphertext, 0, headerLength);
    byte[] wrapped = Arrays.copyOfRange(ciphertext, 3, headerLength);
    SecretKey key = keyForDecryption(wrapped);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, ciphertext, headerLength, NONCE_BYTES));
      cipher.updateAAD(binding);
      cipher.updateAAD(header);
      int start = headerLength + NONCE_BYTES;
      return cipher.doFinal(ciphertext, start, ciphertext.length - start);
    } catch (AEADBadTagException e) {
      throw new KeysClientException(
          Code.DECRYPT_FAILED,
          "the value does not decrypt as field '"
              + field
              + "' of this record with ring '"
              + ring
              + "' (copied from another record or field, or altered)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JDK: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "FieldEncryptor{ring=" + ring + "}";
  }

  // Length-prefixed, so ("ab", "c") and ("a", "bc") never give the same bytes.
  private byte[] binding(String recordId, String field) {
    requireNonNull(recordId, "recordId");
    requireNonNull(field, "field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("field: empty (expected: the field's name)");
    }
    return associatedData(ring, recordId, field);
  }

  static byte[] associatedData(String ring, String recordId, String field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part :
        new byte[][] {
          LABEL,
          ring.getBytes(StandardCharsets.UTF_8),
          recordId.getBytes(StandardCharsets.UTF_8),
          field.getBytes(StandardCharsets.UTF_8)
        }) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(part.length).array());
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] header(byte[] wrapped) {
    return ByteBuffer.allocate(3 + wrapped.length)
        .put(FORMAT)
        .putShort((short) wrapped.length)
        .put(wrapped)
        .array();
  }

  private synchronized CachedKey keyForEncryption() {
    Instant now = clock.instant();
    if (current == null || used >= uses || !now.isBefore(current.expires)) {
      DataKey fresh = client.generateDataKey(ring);
      byte[] wrapped = fresh.wrapped();
      if (wrapped.length > MAX_WRAPPED_BYTES) {
        throw new KeysClientException(
            Code.INVALID_RESPONSE,
            "the wrapped data key of ring '"
                + ring
                + "' is "
                + wrapped.length
                + " bytes (expected: at most "
                + MAX_WRAPPED_BYTES
                + ")");
      }
      current =
          new CachedKey(new SecretKeySpec(fresh.plaintext(), "AES"), wrapped, now.plus(lifetime));
      used = 0;
      // Values encrypted now will be read back soon; no need to ask the service for this key.
      unwrapped.put(Base64.getEncoder().encodeToString(wrapped), current);
    }
    used++;
    return current;
  }

  private SecretKey keyForDecryption(byte[] wrapped) {
    String id = Base64.getEncoder().encodeToString(wrapped);
    synchronized (this) {
      CachedKey cached = unwrapped.get(id);
      if (cached != null && clock.instant().isBefore(cached.expires)) {
        return cached.key;
      }
    }
    byte[] plaintext = client.decryptDataKey(ring, wrapped);
    if (plaintext.length != 32) {
      throw new KeysClientException(
          Code.INVALID_RESPONSE,
          "the unwrapped data key of ring '"
              + ring
              + "' is "
              + plaintext.length
              + " bytes (expected: 32)");
    }
    CachedKey fresh =
        new CachedKey(new SecretKeySpec(plaintext, "AES"), wrapped, clock.instant().plus(lifetime));
    synchronized (this) {
      unwrapped.put(id, fresh);
    }
    return fresh.key;
  }

  private KeysClientException malformed() {
    return new KeysClientException(
        Code.DECRYPT_FAILED,
        "the value is not a field ciphertext of this SDK (format 1) for ring '" + ring + "'");
  }

  private record CachedKey(SecretKey key, byte[] wrapped, Instant expires) {
    @Override
    public String toString() {
      return "CachedKey{key=***, expires=" + expires + "}";
    }
  }

  /** Builds a {@link FieldEncryptor}. */
  public static final class Builder {
    private final KeysClient client;
    private final String ring;
    private Duration lifetime = Duration.ofMinutes(5);
    private long uses = 100_000;
    private int cacheSize = 1_000;
    private Clock clock = Clock.systemUTC();

    private Builder(KeysClient client, String ring) {
      this.client = requireNonNull(client, "client");
      this.ring = requireNonNull(ring, "ring");
      if (ring.isEmpty()) {
        throw new IllegalArgumentException("ring: empty (expected: a key ring name)");
      }
    }

    /**
     * How long a data key is used for encryption, and an unwrapped one kept for decryption (default
     * 5 minutes).
     */
    public Builder dataKeyLifetime(Duration lifetime) {
      requireNonNull(lifetime, "lifetime");
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("dataKeyLifetime: " + lifetime + " (expected: > 0)");
      }
      this.lifetime = lifetime;
      return this;
    }

    /** How many values one data key encrypts before a new one is fetched (default 100,000). */
    public Builder dataKeyUses(long uses) {
      if (uses < 1 || uses > MAX_USES) {
        throw new IllegalArgumentException(
            "dataKeyUses: " + uses + " (expected: 1 to 2^32, the AES-GCM limit for random nonces)");
      }
      this.uses = uses;
      return this;
    }

    /** How many unwrapped data keys are kept for decryption (default 1,000). */
    public Builder unwrappedKeyCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("unwrappedKeyCacheSize: " + size + " (expected: >= 0)");
      }
      this.cacheSize = size;
      return this;
    }

    /** The clock that times data keys out (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public FieldEncryptor build() {
      return new FieldEncryptor(this);
    }
  }
}
