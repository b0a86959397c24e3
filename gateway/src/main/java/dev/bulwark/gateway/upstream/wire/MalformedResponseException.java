package dev.bulwark.gateway.upstream.wire;

import java.io.IOException;

/**
 * The upstream sent bytes that are not a well-formed, unambiguous HTTP/1.1 response; nothing of it
 * may be passed on (RFC 9112 §11.2: a message with ambiguous framing invites request smuggling).
 * The connection it came on has been closed.
 */
public final class MalformedResponseException extends IOException {
  private static final long serialVersionUID = 1L;

  MalformedResponseException(String message) {
    super("malformed upstream response: " + message);
  }
}
