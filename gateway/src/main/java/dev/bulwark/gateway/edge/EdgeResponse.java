package dev.bulwark.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.OutputStream;
import java.util.concurrent.CompletionStage;

/**
 * The answer to an {@link EdgeRequest}: status and header fields, then the body, sent once. Field
 * names are matched case-insensitively.
 */
public interface EdgeResponse {
  /** Sets header {@code name} to {@code value} alone. */
  void set(String name, String value);

  /** Adds a value to header {@code name}, keeping those it has. */
  void add(String name, String value);

  /** Removes header {@code name}. */
  void remove(String name);

  /** Sets the status code. */
  void status(int code);

  /** The status code set so far (200 unless set). */
  int status();

  /** Sends the status, the headers and {@code body}, which completes the answer. */
  void send(byte[] body);

  /**
   * A stream for the body, sent after the status and headers; closing it completes the answer. With
   * a Content-Length set, exactly that many bytes must be written.
   */
  OutputStream stream();

  /** Whether the status and headers have gone out. */
  boolean sent();

  /**
   * Closes the connection once this answer is out: for a refused HTTP/1.x request whose body may be
   * unread, so its bytes can never be taken for another request. Called before the answer is sent,
   * the answer says so ({@code Connection: close}).
   */
  void closeConnection();

  /**
   * The event loop of the connection this answer goes out on. An answer relayed from elsewhere is
   * written from it ({@link #relay}), and the upstream hop runs its own connections on it, so a
   * relayed byte never changes threads.
   */
  EventLoop eventLoop();

  /**
   * Relays a piece of an answer produced elsewhere, from {@link #eventLoop()}: the first call sends
   * the status and the headers set so far, {@code last} completes the answer. With a Content-Length
   * set, the pieces must add up to it (none for a HEAD request or a 204 or 304).
   *
   * @param piece the bytes, which this call takes ownership of
   * @return the write, which completes once the client's connection has taken it
   */
  ChannelFuture relay(ByteBuf piece, boolean last);

  /**
   * Whether the client keeps up with the answer. When it does not, the relaying side waits for its
   * last {@link #relay} to complete before producing more.
   */
  boolean writable();

  /**
   * Ends an answer that cannot be completed: its connection (HTTP/1.x) or stream (HTTP/2) is
   * closed, so that the client cannot take a truncated answer for a whole one.
   */
  void abort();

  /**
   * Lets the handler return before the answer is complete: the listener finishes the request (its
   * metric, its access-log line, the connection's next request) once {@code answered} completes,
   * however it completes. An answer still unsent by then is a 500.
   */
  void completesWith(CompletionStage<?> answered);
}
