package dev.bulwark.identity.internal;

import dev.bulwark.identity.IdentityException;
import java.util.Locale;
import java.util.Set;

/**
 * What a password must be (NIST SP 800-63B §5.1.1.2): long enough, not absurdly long (Argon2id time
 * grows with it), not a well-known password, and not the username. No composition rules: they make
 * passwords weaker, not stronger.
 */
public final class PasswordPolicy {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 256;

  // The most common passwords of at least MIN_LENGTH characters in public breach corpora.
  private static final Set<String> COMMON =
      Set.of(
          "123456789012",
          "1234567890123",
          "12345678901234",
          "qwertyuiopas",
          "qwertyuiop123",
          "password1234",
          "password12345",
          "passwordpassword",
          "iloveyou1234",
          "administrator",
          "changemechangeme",
          "letmeinletmein",
          "welcome12345",
          "aaaaaaaaaaaa",
          "111111111111",
          "000000000000");

  private PasswordPolicy() {}

  /**
   * @throws IdentityException PASSWORD_REJECTED saying why, without repeating the password
   */
  public static void check(String username, String password) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      throw rejected("it is shorter than " + MIN_LENGTH + " characters");
    }
    if (length > MAX_LENGTH) {
      throw rejected("it is longer than " + MAX_LENGTH + " characters");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    if (COMMON.contains(lower)) {
      throw rejected("it is one of the most common passwords");
    }
    if (password.codePoints().distinct().count() < 4) {
      throw rejected("it repeats too few characters");
    }
    if (lower.contains(username.toLowerCase(Locale.ROOT))) {
      throw rejected("it contains the username");
    }
  }

  private static IdentityException rejected(String why) {
    return new IdentityException(
        IdentityException.Code.PASSWORD_REJECTED, "the password is not accepted: " + why);
  }
}
