package dev.bulwark.identity;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A group of users; each member holds the group's roles.
 *
 * @param name the group's name, as it appears in the {@code groups} claim
 * @param description what the group is for
 * @param roles the roles its members hold
 * @param members the user ids of its members
 */
public record UserGroup(String name, String description, Set<String> roles, Set<String> members) {
  public UserGroup {
    UserAccount.requireName("group", name);
    requireNonNull(description, "description");
    roles = Set.copyOf(roles);
    members = Set.copyOf(members);
    roles.forEach(role -> UserAccount.requireName("role", role));
  }
}
