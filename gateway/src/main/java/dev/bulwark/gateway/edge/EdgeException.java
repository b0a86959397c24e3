package dev.bulwark.gateway.edge;

import java.io.Serial;

/** Failures of the client's side of an exchange, which the listener answers itself. */
public abstract sealed class EdgeException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  EdgeException(String message) {
    super(message, null, false, false);
  }

  /** The status the listener answers with, if it still can. */
  public abstract int status();

  /** The request body went past the listener's payload limit. */
  public static final class PayloadTooLarge extends EdgeException {
    @Serial private static final long serialVersionUID = 1L;

    public PayloadTooLarge(long limit) {
      super("the request body is larger than " + limit + " bytes");
    }

    @Override
    public int status() {
      return 413;
    }
  }

  /** The client sent no more of the body for longer than the listener waits. */
  public static final class BodyTimeout extends EdgeException {
    @Serial private static final long serialVersionUID = 1L;

    public BodyTimeout(java.time.Duration waited) {
      super("no more of the request body arrived within " + waited.toSeconds() + " s");
    }

    @Override
    public int status() {
      return 408;
    }
  }

  /** The client went away or broke the body's framing while the gateway read it. */
  public static final class ClientGone extends EdgeException {
    @Serial private static final long serialVersionUID = 1L;

    public ClientGone(String message) {
      super(message);
    }

    @Override
    public int status() {
      return 400;
    }
  }
}
