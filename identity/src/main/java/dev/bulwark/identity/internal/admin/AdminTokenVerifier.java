package dev.bulwark.identity.internal.admin;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import dev.bulwark.identity.internal.SigningKeyRing;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks the bearer token of an admin API call: an RFC 9068 access token this provider signed
 * ({@code typ at+jwt}, verified with the ring's own published keys), for this issuer, unexpired,
 * meant for {@link #AUDIENCE}, whose {@code roles} claim holds {@link #ROLE}. Returns a decision;
 * it never throws for a bad token.
 */
public final class AdminTokenVerifier {
  /** The audience an admin token must name. */
  public static final String AUDIENCE = "urn:bulwark:admin";

  /** The role an admin token must carry. */
  public static final String ROLE = "identity-admin";

  private static final int MAX_CLOCK_SKEW_SECONDS = 30;
  // RFC 9068 §4: "at+jwt", or its full media type.
  private static final Set<String> ACCESS_TOKEN_TYPES = Set.of("at+jwt", "application/at+jwt");

  private final SigningKeyRing keys;
  private final Supplier<String> issuer;
  private final Clock clock;

  public AdminTokenVerifier(SigningKeyRing keys, Supplier<String> issuer, Clock clock) {
    this.keys = requireNonNull(keys, "keys");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** What the verifier decided about a call. */
  public sealed interface Decision {}

  /**
   * An administrator may call.
   *
   * @param actor who: the token's {@code sub} (a user, or for client credentials the client)
   * @param clientId the client the token was issued to, if it says
   */
  public record Admin(String actor, Optional<String> clientId) implements Decision {}

  /**
   * No acceptable token: 401 (RFC 6750 §3.1).
   *
   * @param presented whether a token was sent at all (then the challenge says invalid_token)
   * @param reason why, for the audit trail and the caller; never the token
   */
  public record Unauthenticated(boolean presented, String reason) implements Decision {}

  /**
   * A valid token without the admin role: 403 (RFC 6750 §3.1 insufficient_scope).
   *
   * @param actor who asked
   */
  public record Forbidden(String actor) implements Decision {}

  /** Decides on the value of an {@code Authorization} header, if the request had one. */
  public Decision verify(Optional<String> authorization) {
    if (authorization.isEmpty()) {
      return new Unauthenticated(false, "no bearer token");
    }
    String header = authorization.get().trim();
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Unauthenticated(false, "the Authorization header is not a Bearer token");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(header.substring(7).trim());
    } catch (ParseException e) {
      return new Unauthenticated(true, "the bearer token is not a signed JWT");
    }
    JOSEObjectType type = jwt.getHeader().getType();
    if (type == null || !ACCESS_TOKEN_TYPES.contains(type.getType())) {
      return new Unauthenticated(true, "the bearer token is not an access token (typ at+jwt)");
    }
    if (!keys.verifies(jwt)) {
      return new Unauthenticated(true, "the bearer token's signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
      claimsVerifier().verify(claims, null);
    } catch (ParseException e) {
      return new Unauthenticated(true, "the bearer token's claims are not JSON");
    } catch (BadJWTException e) {
      return new Unauthenticated(true, "the bearer token is not acceptable: " + e.getMessage());
    }
    String actor = claims.getSubject();
    return roles(claims).contains(ROLE) ? new Admin(actor, clientId(claims)) : new Forbidden(actor);
  }

  private DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier() {
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            Set.of(AUDIENCE),
            new JWTClaimsSet.Builder().issuer(issuer.get()).build(),
            Set.of("sub", "exp", "iat"),
            Set.of()) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    verifier.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
    return verifier;
  }

  private static Optional<String> clientId(JWTClaimsSet claims) {
    return claims.getClaim("client_id") instanceof String id && !id.isBlank()
        ? Optional.of(id)
        : Optional.empty();
  }

  private static List<String> roles(JWTClaimsSet claims) {
    try {
      List<String> roles = claims.getStringListClaim("roles");
      return roles == null ? List.of() : roles;
    } catch (ParseException e) {
      return List.of();
    }
  }
}
