package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.sdk.token.AccessToken;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
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
  /** {@code amr} values (RFC 8176 §2) that mean a second factor was used. */
  private static final Set<String> SECOND_FACTORS = Set.of("mfa", "otp", "hwk", "swk");

  /** Copies the roles. */
  public Caller {
    requireNonNull(subject, "subject");
    roles = Set.copyOf(roles);
  }

  /**
   * The caller of a verified token. Roles, groups and authentication methods are read from the same
   * compact token the {@link ResourceServer} verified for this request (the verified {@link
   * AccessToken} does not carry them yet); absent claims mean no roles and no second factor.
   */
  public static Caller of(AccessToken token, Optional<String> authorization) {
    requireNonNull(token, "token");
    Optional<JWTClaimsSet> claims =
        authorization
            .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
            .flatMap(value -> claims(value.substring(7).strip()))
            .filter(set -> token.tokenId().equals(set.getJWTID()));
    Set<String> roles = new LinkedHashSet<>();
    roles.addAll(strings(claims, "roles"));
    roles.addAll(strings(claims, "groups"));
    boolean mfa = strings(claims, "amr").stream().anyMatch(SECOND_FACTORS::contains);
    return new Caller(token.subject(), roles, mfa);
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

  private static Optional<JWTClaimsSet> claims(String compact) {
    try {
      return Optional.of(SignedJWT.parse(compact).getJWTClaimsSet());
    } catch (ParseException e) {
      return Optional.empty();
    }
  }

  // A claim may be a JSON array of strings or one space-separated string; anything else counts as
  // absent, never as a grant.
  private static List<String> strings(Optional<JWTClaimsSet> claims, String name) {
    if (claims.isEmpty()) {
      return List.of();
    }
    Object value = claims.get().getClaim(name);
    if (value instanceof String text) {
      return List.of(text.strip().split("\\s+")).stream().filter(s -> !s.isEmpty()).toList();
    }
    if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      return list.stream().map(String.class::cast).toList();
    }
    return List.of();
  }
}
