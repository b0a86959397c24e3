package dev.bulwark.audit.emit;

import static java.util.Objects.requireNonNull;

import java.io.Serial;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A batch of audit events was not delivered. {@link #failure()} is a stable code; {@link
 * #retryable()} says whether the same batch may be sent again. Messages never hold event contents
 * beyond an event's id and action.
 */
public final class AuditDeliveryException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  private final Failure failure;
  // Null when the collector did not say; kept nullable so the exception stays serializable.
  private final Duration retryAfter;
  private final int rejectedIndex;

  private AuditDeliveryException(
      Failure failure, String message, Optional<Duration> retryAfter, int rejectedIndex) {
    super(failure.code() + ": " + message);
    this.failure = failure;
    this.retryAfter = retryAfter.orElse(null);
    this.rejectedIndex = rejectedIndex;
  }

  /** A failure of kind {@code failure}, retryable as that kind says. */
  public static AuditDeliveryException of(Failure failure, String message) {
    return new AuditDeliveryException(
        requireNonNull(failure, "failure"),
        requireNonNull(message, "message"),
        Optional.empty(),
        -1);
  }

  /** A retryable failure after which the collector asked to wait {@code retryAfter}. */
  public static AuditDeliveryException unavailable(String message, Duration retryAfter) {
    requireNonNull(retryAfter, "retryAfter");
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter: " + retryAfter + " (expected: >= 0)");
    }
    return new AuditDeliveryException(
        Failure.UNAVAILABLE, requireNonNull(message, "message"), Optional.of(retryAfter), -1);
  }

  /**
   * The collector refused the event at {@code index} (0-based) of the batch; the others were not
   * stored and may be sent again without it.
   */
  public static AuditDeliveryException rejected(int index, String message) {
    if (index < 0) {
      throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
    }
    return new AuditDeliveryException(
        Failure.REJECTED, requireNonNull(message, "message"), Optional.empty(), index);
  }

  public Failure failure() {
    return failure;
  }

  /** Whether sending the same batch again may succeed. */
  public boolean retryable() {
    return failure.retryable();
  }

  /** How long the collector asked the sender to wait, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The position in the batch of the one event the collector refused, if it named one. */
  public OptionalInt rejectedIndex() {
    return rejectedIndex < 0 ? OptionalInt.empty() : OptionalInt.of(rejectedIndex);
  }

  /** Why a delivery failed, and whether trying again may help. */
  public enum Failure {
    /** The collector could not be reached, or did not answer in time. */
    UNREACHABLE("audit.unreachable", true),
    /** The collector's store is failing or it is overloaded (503, 429). */
    UNAVAILABLE("audit.unavailable", true),
    /** Any other 5xx. */
    SERVER_ERROR("audit.server_error", true),
    /**
     * The collector did not accept the caller's identity (401) or does not let it report (403).
     * Retried: an identity is fixed by certificate renewal or a policy change, and retrying keeps
     * the events, where giving up would lose them.
     */
    IDENTITY("audit.identity", true),
    /** The answer did not acknowledge the whole batch. */
    BAD_ACKNOWLEDGEMENT("audit.bad_acknowledgement", true),
    /** The sender was interrupted, e.g. while closing. */
    INTERRUPTED("audit.interrupted", true),
    /** The collector refused an event as malformed (400): sending it again cannot help. */
    REJECTED("audit.rejected", false),
    /** The batch is larger than the collector takes (413); a smaller one may pass. */
    TOO_LARGE("audit.too_large", false),
    /** Any other answer. */
    UNEXPECTED_STATUS("audit.unexpected_status", false);

    private final String code;
    private final boolean retryable;

    Failure(String code, boolean retryable) {
      this.code = code;
      this.retryable = retryable;
    }

    /** The stable error code, e.g. {@code audit.rejected}. */
    public String code() {
      return code;
    }

    public boolean retryable() {
      return retryable;
    }
  }
}
