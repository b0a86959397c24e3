package dev.bulwark.runtime.errors;

/** Questions about an exception's chain of causes. */
public final class CauseChain {
  private CauseChain() {}

  /** Whether {@code error} or any of its causes is a {@code type}. */
  public static boolean contains(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
