package dev.bulwark.runtime.storage;

/** The database could not be reached, migrated or written. */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable error code. */
  public static final String CODE = "storage.unavailable";

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public String code() {
    return CODE;
  }
}
