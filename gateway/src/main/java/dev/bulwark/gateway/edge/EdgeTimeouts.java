package dev.bulwark.gateway.edge;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long the listener waits on a client: for the next request's head on an HTTP/1.1 connection (a
 * keep-alive connection left idle, or a head sent slowly, as in slowloris), for more of a request
 * body the gateway is reading, and on an HTTP/2 connection with no traffic at all.
 *
 * @param nextRequest from the end of an answer (or the connection's start) to a whole request head
 * @param bodyRead between two pieces of a body being read
 * @param idleHttp2 with no frame in either direction
 */
record EdgeTimeouts(Duration nextRequest, Duration bodyRead, Duration idleHttp2) {
  /** nginx's client_header_timeout and client_body_timeout (60 s); two minutes idle on HTTP/2. */
  static final EdgeTimeouts DEFAULTS =
      new EdgeTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMinutes(2));

  EdgeTimeouts {
    requireNonNull(nextRequest, "nextRequest");
    requireNonNull(bodyRead, "bodyRead");
    requireNonNull(idleHttp2, "idleHttp2");
    if (nextRequest.isNegative()
        || nextRequest.isZero()
        || bodyRead.isNegative()
        || bodyRead.isZero()
        || idleHttp2.isNegative()
        || idleHttp2.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }
}
