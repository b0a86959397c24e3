package dev.bulwark.gateway;

import static java.util.Objects.requireNonNull;

/**
 * An expected failure of the gateway, with a stable code: a configuration that cannot be applied
 * ({@link Code#INVALID_ROUTES}), so the routes in force stay as they were.
 */
public final class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, stable across releases. */
  public enum Code {
    /** The routes, limits or issuers given cannot be applied. */
    INVALID_ROUTES
  }

  private final Code code;

  public GatewayException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = requireNonNull(code, "code");
  }

  public GatewayException(Code code, String message) {
    super(message);
    this.code = requireNonNull(code, "code");
  }

  public Code code() {
    return code;
  }
}
