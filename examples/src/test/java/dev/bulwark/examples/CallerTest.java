package dev.bulwark.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.sdk.token.AccessToken;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerTest {
  static AccessToken token(Set<String> roles, Set<String> groups, Set<String> amr) {
    return new AccessToken(
        "https://issuer",
        "fiona",
        "back-office",
        List.of("urn:bulwark:payments"),
        Set.of("payments:refund"),
        Instant.EPOCH,
        Instant.EPOCH.plusSeconds(300),
        "jti-1",
        roles,
        groups,
        amr);
  }

  @Test
  void rolesGroupsAndASecondFactorComeFromTheVerifiedToken() {
    Caller caller =
        Caller.of(token(Set.of("finance"), Set.of("auditors", "staff"), Set.of("pwd", "otp")));

    assertThat(caller.roles()).containsExactlyInAnyOrder("finance", "auditors", "staff");
    assertThat(caller.mfa()).isTrue();
    assertThat(caller.entity().parents()).contains(EntityUid.of("Role", "finance"));
    assertThat(caller.uid()).isEqualTo(EntityUid.of("User", "fiona"));
  }

  @Test
  void absentClaimsMeanNoRolesAndNoSecondFactor() {
    Caller caller = Caller.of(token(Set.of(), Set.of(), Set.of("pwd")));

    assertThat(caller.roles()).isEmpty();
    assertThat(caller.mfa()).isFalse();
    assertThat(caller.entity().parents()).isEmpty();
  }
}
