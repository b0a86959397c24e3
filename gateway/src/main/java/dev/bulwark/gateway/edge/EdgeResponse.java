package dev.bulwark.gateway.edge;

import java.io.OutputStream;

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
}
