package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

/** Why the audit store refused or failed an operation; {@link #code()} is stable for callers. */
public final class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public AuditException(Code code, String message) {
    super(requireNonNull(code, "code") + ": " + requireNonNull(message, "message"));
    this.code = code;
  }

  public AuditException(Code code, String message, Throwable cause) {
    super(requireNonNull(code, "code") + ": " + requireNonNull(message, "message"), cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  /** The kinds of failure. */
  public enum Code {
    /** A caller passed a bad value (a sequence beyond the log, an empty batch...). */
    INVALID_ARGUMENT,
    /** The log was closed. */
    CLOSED,
    /** Another process holds the store (its directory lock or database advisory lock). */
    LOCKED,
    /** The stored log is inconsistent: a record or checkpoint fails its checks. */
    CORRUPT,
    /** The disk is full; nothing unwritten was acknowledged, and the log refuses appends. */
    DISK_FULL,
    /** Writing failed; nothing unwritten was acknowledged, and the log refuses appends. */
    WRITE_FAILED,
    /** Reading the stored log failed. */
    READ_FAILED,
    /** The writer is too far behind; the caller should retry later (nothing was dropped). */
    OVERLOADED
  }
}
