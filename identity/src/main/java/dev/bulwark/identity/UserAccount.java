package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A user who signs in at the provider.
 *
 * @param userId the stable, opaque subject identifier ({@code sub})
 * @param username what the user types to sign in; unique, compared case-insensitively
 * @param displayName the user's name ({@code name})
 * @param email the user's e-mail address, if known
 * @param enabled whether the user may sign in
 * @param roles every role the user holds, directly or through a group (the {@code roles} claim)
 * @param groups the groups the user is a member of (the {@code groups} claim)
 */
public record UserAccount(
    String userId,
    String username,
    String displayName,
    Optional<String> email,
    boolean enabled,
    Set<String> roles,
    Set<String> groups) {
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@+-]{0,199}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  public UserAccount {
    requireNonNull(userId, "userId");
    requireUsername(username);
    requireNonNull(displayName, "displayName");
    requireNonNull(email, "email");
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
    roles.forEach(role -> requireName("role", role));
    groups.forEach(group -> requireName("group", group));
  }

  /** Checks a username: 1-200 of a-z 0-9 . _ @ + -, starting with a letter or digit. */
  public static String requireUsername(String username) {
    requireNonNull(username, "username");
    if (!USERNAME.matcher(username).matches()) {
      throw new IdentityException(
          IdentityException.Code.USER_INVALID,
          "username: '"
              + username
              + "' (expected: 1-200 of a-z 0-9 . _ @ + -, starting with a letter or digit)");
    }
    return username;
  }

  /** Checks a role or group name: 1-100 of A-Z a-z 0-9 . _ : -. */
  public static String requireName(String kind, String name) {
    requireNonNull(name, kind);
    if (!NAME.matcher(name).matches()) {
      throw new IdentityException(
          IdentityException.Code.USER_INVALID,
          kind + ": '" + name + "' (expected: 1-100 of A-Z a-z 0-9 . _ : -)");
    }
    return name;
  }
}
