package dev.bulwark.identity;

/**
 * A user's second factors, for administrators.
 *
 * @param totp whether an authenticator app (TOTP, RFC 6238) is set up
 * @param recoveryCodesLeft how many unused recovery codes remain
 * @param passkeys how many WebAuthn passkeys are registered
 */
public record MfaStatus(boolean totp, int recoveryCodesLeft, int passkeys) {
  public MfaStatus {
    if (recoveryCodesLeft < 0 || passkeys < 0) {
      throw new IllegalArgumentException(
          "recoveryCodesLeft: "
              + recoveryCodesLeft
              + ", passkeys: "
              + passkeys
              + " (expected: >= 0)");
    }
  }

  /** Whether the user has any second factor. */
  public boolean any() {
    return totp || passkeys > 0;
  }
}
