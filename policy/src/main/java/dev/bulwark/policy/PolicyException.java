package dev.bulwark.policy;

/** An expected failure of the policy component; {@link #code()} is stable. */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Code code;

  public PolicyException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public PolicyException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** What went wrong, stable across releases. */
  public Code code() {
    return code;
  }

  /** What went wrong. */
  public enum Code {
    /** Policy text (Cedar or JSON) is not well-formed. */
    PARSE_ERROR,
    /** Entities JSON is malformed or does not conform to the schema. */
    ENTITIES_INVALID,
    /** A request (or its context) is malformed or does not conform to the schema. */
    REQUEST_INVALID,
    /** A schema is malformed. */
    SCHEMA_INVALID,
    /** Policies do not pass validation against the schema. */
    VALIDATION_FAILED,
    /** A template link names an unknown template, a duplicate id, or the wrong slots. */
    LINK_INVALID,
    /** Two policies share an id. */
    DUPLICATE_POLICY_ID,
    /** A policy store could not be read or written. */
    STORE_FAILED
  }
}
