package dev.bulwark.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.sdk.token.AccessToken;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerTest {
  private static final AccessToken TOKEN =
      new AccessToken(
          "https://issuer",
          "fiona",
          "back-office",
          List.of("urn:bulwark:payments"),
          Set.of("payments:refund"),
          Instant.EPOCH,
          Instant.EPOCH.plusSeconds(300),
          "jti-1");

  private static Optional<String> bearer(JWTClaimsSet.Builder claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims.build());
    jwt.sign(new ECDSASigner(new ECKeyGenerator(Curve.P_256).generate()));
    return Optional.of("Bearer " + jwt.serialize());
  }

  @Test
  void rolesGroupsAndASecondFactorComeFromTheToken() throws Exception {
    Caller caller =
        Caller.of(
            TOKEN,
            bearer(
                new JWTClaimsSet.Builder()
                    .jwtID("jti-1")
                    .claim("roles", List.of("finance"))
                    .claim("groups", "auditors staff")
                    .claim("amr", List.of("pwd", "otp"))));

    assertThat(caller.roles()).containsExactlyInAnyOrder("finance", "auditors", "staff");
    assertThat(caller.mfa()).isTrue();
    assertThat(caller.entity().parents()).contains(EntityUid.of("Role", "finance"));
    assertThat(caller.uid()).isEqualTo(EntityUid.of("User", "fiona"));
  }

  @Test
  void absentClaimsMeanNoRolesAndNoSecondFactor() throws Exception {
    Caller caller =
        Caller.of(
            TOKEN, bearer(new JWTClaimsSet.Builder().jwtID("jti-1").claim("amr", List.of("pwd"))));

    assertThat(caller.roles()).isEmpty();
    assertThat(caller.mfa()).isFalse();
  }

  @Test
  void claimsOfAnotherTokenThanTheVerifiedOneAreIgnored() throws Exception {
    Caller caller =
        Caller.of(
            TOKEN,
            bearer(
                new JWTClaimsSet.Builder()
                    .jwtID("jti-2")
                    .claim("roles", List.of("finance"))
                    .claim("amr", List.of("mfa"))));

    assertThat(caller.roles()).isEmpty();
    assertThat(caller.mfa()).isFalse();
  }

  @Test
  void aRolesClaimOfTheWrongShapeGrantsNothing() throws Exception {
    Caller caller =
        Caller.of(
            TOKEN, bearer(new JWTClaimsSet.Builder().jwtID("jti-1").claim("roles", List.of(1, 2))));

    assertThat(caller.roles()).isEmpty();
  }
}
