package dev.bulwark.audit.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file channel on a disk that fills up: writes succeed until a shared budget of bytes is spent,
 * then a write stores what still fits and fails as the kernel does ({@code ENOSPC}).
 */
final class FullDiskChannel extends FileChannel {
  private final FileChannel delegate;
  private final AtomicLong budget;

  FullDiskChannel(FileChannel delegate, AtomicLong budget) {
    this.delegate = delegate;
    this.budget = budget;
  }

  @Override
  public int write(ByteBuffer source) throws IOException {
    long left = budget.get();
    if (left <= 0) {
      throw new IOException("No space left on device");
    }
    if (source.remaining() > left) {
      ByteBuffer part = source.duplicate();
      part.limit(part.position() + (int) left);
      int written = delegate.write(part);
      source.position(source.position() + written);
      budget.addAndGet(-written);
      throw new IOException("No space left on device");
    }
    int written = delegate.write(source);
    budget.addAndGet(-written);
    return written;
  }

  @Override
  public int read(ByteBuffer destination) throws IOException {
    return delegate.read(destination);
  }

  @Override
  public long read(ByteBuffer[] destinations, int offset, int length) throws IOException {
    return delegate.read(destinations, offset, length);
  }

  @Override
  public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(sources[i]);
    }
    return total;
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    delegate.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    delegate.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel source, long position, long count)
      throws IOException {
    throw new IOException("not supported by the test channel");
  }

  @Override
  public int read(ByteBuffer destination, long position) throws IOException {
    return delegate.read(destination, position);
  }

  @Override
  public int write(ByteBuffer source, long position) throws IOException {
    throw new IOException("not supported by the test channel");
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    throw new IOException("not supported by the test channel");
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }
}
