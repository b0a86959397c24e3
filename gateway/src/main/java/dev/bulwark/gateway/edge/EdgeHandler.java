package dev.bulwark.gateway.edge;

/** What the listener does with each request. */
@FunctionalInterface
public interface EdgeHandler {
  /**
   * Answers {@code req} on {@code res}, or arranges for it ({@link EdgeResponse#completesWith}).
   */
  void handle(EdgeRequest req, EdgeResponse res);

  /**
   * Whether {@link #handle} will neither block nor wait for {@code req}. Such a request is handled
   * on its connection's event loop; any other on a virtual thread of its own. Handing a request to
   * another thread and its answer back costs more than many a check (ADR 0001, third amendment),
   * but a blocked event loop stalls every connection it serves: when in doubt, false.
   */
  default boolean nonBlocking(EdgeRequest req) {
    return false;
  }
}
