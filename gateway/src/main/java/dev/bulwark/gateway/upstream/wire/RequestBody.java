package dev.bulwark.gateway.upstream.wire;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;

/**
 * The content of an upstream request and how it is framed (RFC 9112 §6): none, bytes in memory or a
 * stream of known length (sent with {@code Content-Length}), or a stream of unknown length (sent
 * with {@code Transfer-Encoding: chunked}). Only {@link None} and {@link Bytes} can be sent again
 * when a pooled connection turns out to be stale.
 */
public sealed interface RequestBody {

  /** No content. */
  static RequestBody none() {
    return None.INSTANCE;
  }

  /** Content held in memory; the array is not copied and must not change while it is sent. */
  static RequestBody of(byte[] bytes) {
    return new Bytes(bytes);
  }

  /** {@code length} bytes read from {@code stream}; fewer is an error, more are not read. */
  static RequestBody of(InputStream stream, long length) {
    return new Sized(stream, length);
  }

  /** Content of unknown length read from {@code stream} to its end, sent chunked. */
  static RequestBody chunked(InputStream stream) {
    return new Chunked(stream);
  }

  /** Whether the body can be sent a second time. */
  default boolean replayable() {
    return false;
  }

  /** No content. */
  enum None implements RequestBody {
    INSTANCE;

    @Override
    public boolean replayable() {
      return true;
    }
  }

  /**
   * Content in memory.
   *
   * @param bytes the content
   */
  record Bytes(byte[] bytes) implements RequestBody {
    /** Checks that bytes is given. */
    public Bytes {
      requireNonNull(bytes, "bytes");
    }

    @Override
    public boolean replayable() {
      return true;
    }
  }

  /**
   * A stream of known length.
   *
   * @param stream the content
   * @param length how many bytes to send
   */
  record Sized(InputStream stream, long length) implements RequestBody {
    /** Checks the stream and the length. */
    public Sized {
      requireNonNull(stream, "stream");
      if (length < 0) {
        throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
      }
    }
  }

  /**
   * A stream of unknown length.
   *
   * @param stream the content
   */
  record Chunked(InputStream stream) implements RequestBody {
    /** Checks that the stream is given. */
    public Chunked {
      requireNonNull(stream, "stream");
    }
  }
}
