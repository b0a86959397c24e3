package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A user's sign-in at the provider (the OIDC {@code sid}).
 *
 * @param sessionId the public id, the {@code sid} claim
 * @param userId who signed in
 * @param authTime when they last authenticated ({@code auth_time})
 * @param amr how they authenticated (RFC 8176 values: {@code pwd}, {@code otp}, {@code hwk}, ...)
 * @param acr the assurance level reached
 * @param createdAt when the session began
 * @param expiresAt when it ends at the latest
 * @param revokedAt when it was ended by logout or an administrator, if it was
 * @param sourceAddress where the sign-in came from
 */
public record UserSession(
    String sessionId,
    String userId,
    Instant authTime,
    List<String> amr,
    String acr,
    Instant createdAt,
    Instant expiresAt,
    Optional<Instant> revokedAt,
    String sourceAddress) {
  /** Password only. */
  public static final String ACR_PASSWORD = "urn:bulwark:acr:pwd";

  /** Password and a second factor (or a passkey, which is two factors in one). */
  public static final String ACR_MFA = "urn:bulwark:acr:mfa";

  public UserSession {
    requireNonNull(sessionId, "sessionId");
    requireNonNull(userId, "userId");
    requireNonNull(authTime, "authTime");
    amr = List.copyOf(amr);
    requireNonNull(acr, "acr");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(revokedAt, "revokedAt");
    requireNonNull(sourceAddress, "sourceAddress");
  }

  public boolean isActive(Instant now) {
    return revokedAt.isEmpty() && now.isBefore(expiresAt);
  }

  public boolean isMultiFactor() {
    return ACR_MFA.equals(acr);
  }
}
