package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerAuthorizerTest {
  private static final SpiffeId APP = SpiffeId.parse("spiffe://bulwark.test/app");
  private static final SpiffeId DB = SpiffeId.parse("spiffe://bulwark.test/db");

  @Test
  void onlyAllowsTheWorkloadsNamedEvenIfNamedTwice() {
    PeerAuthorizer authorizer = PeerAuthorizer.only(APP, DB, APP);

    assertThat(authorizer.allows(APP)).isTrue();
    assertThat(authorizer.allows(DB)).isTrue();
    assertThat(authorizer.allows(SpiffeId.parse("spiffe://bulwark.test/other"))).isFalse();
    assertThat(authorizer).hasToString("spiffe://bulwark.test/app, spiffe://bulwark.test/db");
  }

  @Test
  void onlyNeedsSomeoneToAllow() {
    assertThatThrownBy(() -> PeerAuthorizer.only(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void memberOfAllowsTheWholeTrustDomain() {
    PeerAuthorizer authorizer = PeerAuthorizer.memberOf(TestCa.DOMAIN);

    assertThat(authorizer.allows(APP)).isTrue();
    assertThat(authorizer.allows(SpiffeId.parse("spiffe://elsewhere.test/app"))).isFalse();
  }
}
