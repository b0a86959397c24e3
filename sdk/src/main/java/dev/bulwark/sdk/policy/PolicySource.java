package dev.bulwark.sdk.policy;

import static java.util.Objects.requireNonNull;

/**
 * Where a {@link ServiceAuthorizer} gets its policies. It is polled: each poll says whether there
 * is a new bundle, nothing new, or a failure (which never replaces the live set).
 */
public interface PolicySource {
  /**
   * Checks for a new bundle. Implementations report failures as {@link Update.Failed} rather than
   * throwing, and report a bundle they once delivered or refused as {@link Update.Unchanged} until
   * it changes again, so a bad set is logged once, not at every poll.
   */
  Update poll();

  /** Where the policies come from, for logs ({@code /etc/payments/policies}, an URL). */
  String describe();

  /** A source that delivers {@code bundle} once, e.g. policies shipped in the service's jar. */
  static PolicySource fixed(PolicyBundle bundle) {
    requireNonNull(bundle, "bundle");
    return new PolicySource() {
      private final java.util.concurrent.atomic.AtomicBoolean delivered =
          new java.util.concurrent.atomic.AtomicBoolean();

      @Override
      public Update poll() {
        return delivered.getAndSet(true) ? new Update.Unchanged() : new Update.Changed(bundle);
      }

      @Override
      public String describe() {
        return "fixed policies " + bundle.version();
      }
    };
  }

  /** What a poll found. */
  sealed interface Update {
    /** Nothing new since the last poll. */
    record Unchanged() implements Update {}

    /** A new bundle, parsed; it goes live once the authorizer has checked it. */
    record Changed(PolicyBundle bundle) implements Update {
      /** Rejects a missing bundle. */
      public Changed {
        requireNonNull(bundle, "bundle");
      }
    }

    /** The source could not be read, or what it holds is not a valid policy set. */
    record Failed(String reason) implements Update {
      /** Rejects a missing reason. */
      public Failed {
        requireNonNull(reason, "reason");
      }
    }
  }
}
