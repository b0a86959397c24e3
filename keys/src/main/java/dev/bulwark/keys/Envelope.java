package dev.bulwark.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary layout of a key ring's output: a header naming the KEK version, the data key wrapped
 * by that version, and (for a ciphertext) the payload encrypted under the data key.
 *
 * <pre>
 * magic (1) | kind (1) | KEK version (4, big-endian) | wrapped DEK length (2) | wrapped DEK | payload
 * </pre>
 *
 * <p>The kind is the format version as well: {@link Kind#CIPHERTEXT} (1) carries a payload, {@link
 * Kind#DATA_KEY} (2) is a bare {@link DataKey#wrapped() wrapped data key}. The header is the
 * associated data of the wrapped DEK, together with the ring's name, so neither the version nor the
 * kind can be changed, and a wrapped DEK copied to another ring or version does not unwrap. The
 * payload's associated data is the caller's alone, so re-wrapping leaves it untouched.
 */
record Envelope(Kind kind, int version, byte[] wrappedKey, byte[] payload) {
  /**
   * First byte of every envelope. Values sealed by the master key alone start with Tink's 0x01
   * prefix, so this tells the two formats apart.
   */
  static final byte MAGIC = (byte) 0xB5;

  private static final int HEADER = 1 + 1 + 4 + 2;
  private static final String WRAP_CONTEXT = "bulwark/keys/v1/dek/";

  Envelope {
    if (version < 1) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
    }
    if (wrappedKey.length == 0 || wrappedKey.length > 0xFFFF) {
      throw new IllegalArgumentException(
          "wrappedKey: " + wrappedKey.length + " bytes (expected: 1 to 65535)");
    }
    if (kind == Kind.DATA_KEY && payload.length != 0) {
      throw new IllegalArgumentException("a wrapped data key carries no payload");
    }
  }

  /** What an envelope holds. */
  enum Kind {
    CIPHERTEXT((byte) 1),
    DATA_KEY((byte) 2);

    private final byte code;

    Kind(byte code) {
      this.code = code;
    }
  }

  /** Whether {@code bytes} begin like an envelope (a cheap check, not a validation). */
  static boolean looksLikeEnvelope(byte[] bytes) {
    return bytes.length > 0 && bytes[0] == MAGIC;
  }

  /**
   * Reads an envelope of the expected kind.
   *
   * @throws KeysException {@code DECRYPT_FAILED} if the bytes are not one
   */
  static Envelope parse(byte[] bytes, Kind expected) {
    Envelope envelope = parse(bytes);
    if (envelope.kind != expected) {
      throw malformed(
          "it is a " + describe(envelope.kind) + " (expected: a " + describe(expected) + ")");
    }
    return envelope;
  }

  /**
   * Reads an envelope of either kind.
   *
   * @throws KeysException {@code DECRYPT_FAILED} if the bytes are not one
   */
  static Envelope parse(byte[] bytes) {
    if (bytes.length < HEADER) {
      throw malformed(bytes.length + " bytes, shorter than the " + HEADER + "-byte header");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.get() != MAGIC) {
      throw malformed("the first byte is not the envelope marker");
    }
    byte code = buffer.get();
    Kind kind =
        Arrays.stream(Kind.values())
            .filter(k -> k.code == code)
            .findFirst()
            .orElseThrow(() -> malformed("unknown format " + (code & 0xFF)));
    int version = buffer.getInt();
    if (version < 1) {
      throw malformed("version " + version);
    }
    int length = Short.toUnsignedInt(buffer.getShort());
    if (length == 0 || length > buffer.remaining()) {
      throw malformed("a wrapped key of " + length + " bytes in " + bytes.length);
    }
    byte[] wrapped = new byte[length];
    buffer.get(wrapped);
    byte[] payload = new byte[buffer.remaining()];
    buffer.get(payload);
    if (kind == Kind.DATA_KEY && payload.length != 0) {
      throw malformed("trailing bytes after a wrapped data key");
    }
    return new Envelope(kind, version, wrapped, payload);
  }

  /** The KEK version of an envelope, read from its header alone. */
  static int versionOf(byte[] bytes) {
    return parse(bytes).version;
  }

  byte[] toBytes() {
    return ByteBuffer.allocate(HEADER + wrappedKey.length + payload.length)
        .put(MAGIC)
        .put(kind.code)
        .putInt(version)
        .putShort((short) wrappedKey.length)
        .put(wrappedKey)
        .put(payload)
        .array();
  }

  /** The same envelope with its data key wrapped anew, under {@code newVersion}. */
  Envelope withWrappedKey(int newVersion, byte[] newWrappedKey) {
    return new Envelope(kind, newVersion, newWrappedKey, payload);
  }

  /**
   * The associated data a data key is wrapped with: the envelope's kind and KEK version, and the
   * ring's name.
   */
  static byte[] wrapContext(Kind kind, int version, String ring) {
    byte[] name = (WRAP_CONTEXT + ring).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 1 + 4 + name.length)
        .put(MAGIC)
        .put(kind.code)
        .putInt(version)
        .put(name)
        .array();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Envelope e
        && kind == e.kind
        && version == e.version
        && Arrays.equals(wrappedKey, e.wrappedKey)
        && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * kind.hashCode() + version) + Arrays.hashCode(wrappedKey);
  }

  @Override
  public String toString() {
    return "Envelope{kind="
        + kind
        + ", version="
        + version
        + ", wrappedKey="
        + wrappedKey.length
        + " bytes, payload="
        + payload.length
        + " bytes}";
  }

  private static String describe(Kind kind) {
    return kind == Kind.CIPHERTEXT ? "ciphertext" : "wrapped data key";
  }

  private static KeysException malformed(String why) {
    return new KeysException(
        KeysException.Code.DECRYPT_FAILED, "not a key ring ciphertext: " + why);
  }
}
