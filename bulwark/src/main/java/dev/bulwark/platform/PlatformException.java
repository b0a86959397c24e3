package dev.bulwark.platform;

/**
 * An expected failure of the distribution (data directory, start-up): a one-line message and the
 * next step for the user.
 */
public final class PlatformException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable error code. */
  public static final String CODE = "platform.failed";

  private final String nextStep;

  public PlatformException(String message, String nextStep) {
    super(message);
    this.nextStep = nextStep;
  }

  public PlatformException(String message, String nextStep, Throwable cause) {
    super(message, cause);
    this.nextStep = nextStep;
  }

  /** What the user can do about it. */
  public String nextStep() {
    return nextStep;
  }
}
