package dev.bulwark.gateway.edge;

import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/**
 * A request as the gateway's listener received it: what the pipeline checks and the upstream hop
 * forwards, whichever server took it off the wire. Field names are matched case-insensitively.
 */
public interface EdgeRequest {
  /** The method as sent, e.g. {@code GET}. */
  String method();

  /** The path as sent, still percent-encoded. */
  String rawPath();

  /** The query as sent, without {@code ?}; empty when there was none. */
  String rawQuery();

  /** The request's authority ({@code Host}, or {@code :authority} on HTTP/2), if it named one. */
  Optional<String> authority();

  /**
   * Calls {@code field} with each header field in the order received: its name as sent, a value.
   */
  void forEachField(BiConsumer<String, String> field);

  /** The first value of header {@code name}. */
  Optional<String> first(String name);

  /** Every value of header {@code name}, in order; empty if absent. */
  List<String> all(String name);

  /** The declared Content-Length, if the request has one. */
  OptionalLong contentLength();

  /** The client's certificate, if it presented one in the TLS handshake. */
  Optional<X509Certificate> clientCertificate();

  /** The peer's IP address as text. */
  String peerAddress();

  /** Whether the request came over HTTP/1.x (where an unread body would stay on the connection). */
  boolean http1();

  /** Whether the request has a body to read. */
  boolean hasBody();

  /**
   * The body, streamed. Reading past the listener's payload limit throws {@link
   * EdgeException.PayloadTooLarge}.
   */
  InputStream body();

  /** Whether the whole body has been read (or there was none). */
  boolean bodyConsumed();

  /**
   * What the handler noted about this request, e.g. in {@link EdgeHandler#nonBlocking}, so that it
   * need not work it out again; empty until it notes something.
   */
  Optional<Object> note();

  /** Keeps {@code note} with this request for the handler (replacing an earlier one). */
  void note(Object note);
}
