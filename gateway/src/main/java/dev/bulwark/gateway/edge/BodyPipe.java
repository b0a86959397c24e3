package dev.bulwark.gateway.edge;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body passed from the event loop, which receives it, to the virtual thread that reads
 * it. Nothing is read off the socket until the reader asks: a body the gateway refuses is never
 * buffered, and a slow reader slows the client (TCP and HTTP/2 flow control) instead of filling
 * memory.
 */
final class BodyPipe extends InputStream {
  /** What the pipe asks of the connection, on the event loop. */
  interface Source {
    /** Reads more from the connection (one read; it may deliver any number of chunks). */
    void readMore();

    /** Called once before the first read: e.g. answers {@code Expect: 100-continue}. */
    void firstRead();
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
  private final long limit;
  private final java.time.Duration patience;
  private final Source source;
  private long received;
  private boolean complete;
  private boolean reading;
  private boolean started;
  private boolean waiting;
  private RuntimeException failure;

  BodyPipe(long limit, java.time.Duration patience, Source source) {
    this.limit = limit;
    this.patience = patience;
    this.source = source;
  }

  /** A body that is already complete (none was announced). */
  static BodyPipe empty() {
    BodyPipe pipe =
        new BodyPipe(
            0,
            java.time.Duration.ofSeconds(1),
            new Source() {
              @Override
              public void readMore() {}

              @Override
              public void firstRead() {}
            });
    pipe.complete = true;
    return pipe;
  }

  /** On the event loop: a chunk arrived; the pipe takes over {@code chunk}'s reference. */
  void offer(ByteBuf chunk, boolean last) {
    lock.lock();
    try {
      reading = false;
      if (failure != null || complete) {
        chunk.release();
      } else {
        received += chunk.readableBytes();
        if (received > limit) {
          chunk.release();
          failure = new EdgeException.PayloadTooLarge(limit);
        } else if (chunk.isReadable()) {
          chunks.add(chunk);
        } else {
          chunk.release();
        }
        complete = last;
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** On the event loop: the connection broke or ended before the body did. */
  void fail(String why) {
    lock.lock();
    try {
      if (!complete && failure == null) {
        failure = new EdgeException.ClientGone(why);
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** On the event loop: whether a reader waits for more and no read is under way. */
  boolean wantsMore() {
    lock.lock();
    try {
      return waiting && chunks.isEmpty() && !complete && failure == null && !reading;
    } finally {
      lock.unlock();
    }
  }

  /** Marks a read as asked for, so that the reader does not ask again. */
  void reading() {
    lock.lock();
    try {
      reading = true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the whole body has arrived. */
  boolean complete() {
    lock.lock();
    try {
      return complete && failure == null;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the whole body has arrived and been read. */
  boolean consumed() {
    lock.lock();
    try {
      return complete && failure == null && chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Drops what is buffered; on the event loop when the exchange ends. */
  void release() {
    lock.lock();
    try {
      chunks.forEach(ByteBuf::release);
      chunks.clear();
      if (!complete && failure == null) {
        failure = new EdgeException.ClientGone("the exchange ended");
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    lock.lock();
    try {
      while (true) {
        if (failure != null) {
          throw failure;
        }
        ByteBuf head = chunks.peek();
        if (head != null) {
          int n = Math.min(len, head.readableBytes());
          head.readBytes(b, off, n);
          if (!head.isReadable()) {
            chunks.poll().release();
          }
          return n;
        }
        if (complete) {
          return -1;
        }
        if (!reading) {
          reading = true;
          boolean first = !started;
          started = true;
          if (first) {
            source.firstRead();
          }
          source.readMore();
        }
        waiting = true;
        long left = patience.toNanos();
        try {
          // Woken by every arrival; a client that sends nothing for the whole wait has stalled.
          while (chunks.isEmpty() && !complete && failure == null && reading && left > 0) {
            left = arrived.awaitNanos(left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EdgeException.ClientGone("interrupted while reading the request body");
        } finally {
          waiting = false;
        }
        if (left <= 0 && chunks.isEmpty() && !complete && failure == null) {
          failure = new EdgeException.BodyTimeout(patience);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      ByteBuf head = chunks.peek();
      return head == null ? 0 : head.readableBytes();
    } finally {
      lock.unlock();
    }
  }
}
