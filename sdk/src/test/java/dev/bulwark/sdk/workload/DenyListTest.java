package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DenyListTest {
  private static final SpiffeId APP = SpiffeId.parse("spiffe://bulwark.test/app");
  private static final SpiffeId DB = SpiffeId.parse("spiffe://bulwark.test/db");

  @Test
  void survivesARoundTripThroughJson() {
    DenyList list =
        new DenyList(Set.of(APP, DB), Set.of(new BigInteger("ff01", 16), BigInteger.TEN), 12);

    DenyList parsed = DenyList.parse(list.toJson());

    assertThat(parsed.identities()).containsExactlyInAnyOrder(APP, DB);
    assertThat(parsed.serials())
        .containsExactlyInAnyOrder(new BigInteger("ff01", 16), BigInteger.TEN);
    assertThat(parsed.sequence()).isEqualTo(12);
    assertThat(list.toJson())
        .isEqualTo(
            "{\"sequence\":12,\"spiffe_ids\":[\"spiffe://bulwark.test/app\","
                + "\"spiffe://bulwark.test/db\"],\"serials\":[\"a\",\"ff01\"]}");
  }

  @Test
  void anAbsentMemberIsEmpty() {
    DenyList parsed = DenyList.parse("{}");

    assertThat(parsed.identities()).isEmpty();
    assertThat(parsed.serials()).isEmpty();
    assertThat(parsed.sequence()).isZero();
    assertThat(DenyList.parse(DenyList.EMPTY.toJson()).sequence()).isZero();
  }

  @Test
  void refusesAChainWhoseIdentityOrAnyCertificateIsListed() {
    TestCa ca = TestCa.create();
    X509Svid svid = ca.svid("/app");
    DenyList byId = new DenyList(Set.of(APP), Set.of(), 1);
    DenyList bySerial = new DenyList(Set.of(), Set.of(svid.serialNumber()), 1);
    DenyList byIntermediate =
        new DenyList(Set.of(), Set.of(ca.intermediate().getSerialNumber()), 1);

    assertThat(byId.refusal(Optional.of(APP), svid.chain()))
        .contains("SPIFFE ID spiffe://bulwark.test/app is revoked");
    assertThat(bySerial.refusal(Optional.of(APP), svid.chain()))
        .contains("certificate serial " + svid.serialNumber().toString(16) + " is revoked");
    assertThat(byIntermediate.refusal(Optional.of(APP), svid.chain())).isPresent();
    assertThat(byId.refusal(Optional.of(DB), svid.chain())).isEmpty();
    assertThat(DenyList.EMPTY.refusal(Optional.empty(), List.of())).isEmpty();
  }

  @Test
  void refusesWhatIsNotADenyList() {
    assertThatThrownBy(() -> DenyList.parse("not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DenyList.parse("{\"serials\":[\"xyz\"]}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DenyList.parse("{\"serials\":[\"-1\"]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> DenyList.parse("{\"spiffe_ids\":[\"https://x\"]}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DenyList.parse("{\"sequence\":-3}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
