package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.sdk.token.AccessToken;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The caller as the policies see it: a {@code User} entity in a {@code Role} for each of its
 * token's {@code roles} and {@code groups}, and whether the session was authenticated with more
 * than one factor ({@code amr}, RFC 8176).
 *
 * @param subject the token's {@code sub}
 * @param roles role and group names from the token
 * @param mfa whether {@code amr} names a second factor
 */
public record Caller(String subject, Set<String> roles, boolean mfa) {
  /** Copies the roles. */
  public Caller {
    requireNonNull(subject, "subject");
    roles = Set.copyOf(roles);
  }

  /**
   * The caller of a verified token: its roles and groups (both become {@code Role} parents) and
   * whether {@code amr} names a second factor. Absent claims mean no roles and no second factor.
   */
  public static Caller of(AccessToken token) {
    requireNonNull(token, "token");
    Set<String> roles = new LinkedHashSet<>(token.roles());
    roles.addAll(token.groups());
    return new Caller(token.subject(), roles, token.isMultiFactor());
  }

  /** {@code User::"<subject>"}. */
  public EntityUid uid() {
    return EntityUid.of("User", subject);
  }

  /** The caller's entity, with a {@code Role} parent per role. */
  public Entity entity() {
    Set<EntityUid> parents = new LinkedHashSet<>();
    roles.forEach(role -> parents.add(EntityUid.of("Role", role)));
    return Entity.of(uid(), parents);
  }
}
