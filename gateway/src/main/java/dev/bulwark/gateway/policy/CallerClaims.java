package dev.bulwark.gateway.policy;

import java.util.Set;

/**
 * What a verified token says about its caller beyond the RFC 9068 claims: the {@code roles} and
 * {@code groups} it belongs to and how it authenticated ({@code amr}, RFC 8176). Read only from the
 * token whose signature was checked, never from a request header or body.
 *
 * @param roles the {@code roles} claim; empty when absent
 * @param groups the {@code groups} claim; empty when absent
 * @param authenticationMethods the {@code amr} claim; empty when absent
 */
public record CallerClaims(
    Set<String> roles, Set<String> groups, Set<String> authenticationMethods) {
  // RFC 8176 §2: one-time password, hardware- or software-secured key, or multiple factors.
  private static final Set<String> MULTI_FACTOR = Set.of("mfa", "otp", "hwk", "swk");

  public CallerClaims {
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
    authenticationMethods = Set.copyOf(authenticationMethods);
  }

  /** No roles, no groups, no authentication methods. */
  public static CallerClaims none() {
    return new CallerClaims(Set.of(), Set.of(), Set.of());
  }

  /**
   * Whether the caller authenticated with more than a password (amr names mfa, otp, hwk or swk).
   */
  public boolean multiFactor() {
    return authenticationMethods.stream().anyMatch(MULTI_FACTOR::contains);
  }
}
