package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustBundleTest {
  private static final TestCa CA = TestCa.create();
  private static final TestCa NEXT = TestCa.create();

  @Test
  void survivesARoundTripThroughTheSpiffeJsonFormat() {
    TrustBundle bundle =
        TrustBundle.of(TestCa.DOMAIN, List.of(CA.root(), NEXT.root()), 42, Duration.ofSeconds(120));

    TrustBundle parsed = TrustBundle.parse(TestCa.DOMAIN, bundle.toJson());

    assertThat(parsed.trustDomain()).isEqualTo(TestCa.DOMAIN);
    assertThat(parsed.authorities()).containsExactly(CA.root(), NEXT.root());
    assertThat(parsed.sequence()).isEqualTo(42);
    assertThat(parsed.refreshHint()).isEqualTo(Duration.ofSeconds(120));
    assertThat(parsed.anchors()).hasSize(2);
  }

  @Test
  void writesX509SvidKeysWithoutKeyIds() throws Exception {
    Map<String, Object> json = JSONObjectUtils.parse(CA.bundle(7).toJson());

    assertThat(json)
        .containsEntry("spiffe_sequence", 7L)
        .containsEntry("spiffe_refresh_hint", 300L);
    List<Object> keys = JSONObjectUtils.getJSONArray(json, "keys");
    assertThat(keys).hasSize(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> key = (Map<String, Object>) keys.get(0);
    assertThat(key).containsEntry("use", "x509-svid").containsKey("x5c").doesNotContainKey("kid");
  }

  @Test
  void ignoresKeysForJwtSvidsAndEntriesWithoutCertificates() throws Exception {
    Map<String, Object> json = new LinkedHashMap<>(JSONObjectUtils.parse(CA.bundle(3).toJson()));
    List<Object> keys = new ArrayList<>(JSONObjectUtils.getJSONArray(json, "keys"));
    @SuppressWarnings("unchecked")
    Map<String, Object> svidKey = new LinkedHashMap<>((Map<String, Object>) keys.get(0));
    Map<String, Object> jwtKey = new LinkedHashMap<>(svidKey);
    jwtKey.put("use", "jwt-svid");
    jwtKey.remove("x5c");
    jwtKey.put("kid", "signing-1");
    Map<String, Object> bare = new LinkedHashMap<>(svidKey);
    bare.remove("x5c");
    keys.add(jwtKey);
    keys.add(bare);
    json.put("keys", keys);

    TrustBundle parsed = TrustBundle.parse(TestCa.DOMAIN, JSONObjectUtils.toJSONString(json));

    assertThat(parsed.authorities()).containsExactly(CA.root());
    assertThat(parsed.sequence()).isEqualTo(3);
  }

  @Test
  void defaultsTheSequenceAndRefreshHintWhenAbsent() {
    String json = CA.bundle(9).toJson().replaceAll(",?\"spiffe_[a-z_]+\":[0-9]+", "");

    TrustBundle parsed = TrustBundle.parse(TestCa.DOMAIN, json);

    assertThat(parsed.sequence()).isZero();
    assertThat(parsed.refreshHint()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void readsPemAsAnOperatorHandsItOver() {
    TrustBundle bundle =
        TrustBundle.of(TestCa.DOMAIN, List.of(CA.root(), NEXT.root()), 5, Duration.ofMinutes(1));

    TrustBundle parsed = TrustBundle.fromPem(TestCa.DOMAIN, bundle.toPem());

    assertThat(parsed.authorities()).containsExactly(CA.root(), NEXT.root());
    assertThat(parsed.sequence()).isZero();
  }

  @Test
  void refusesWhatIsNotABundleOfCaCertificates() {
    assertThatThrownBy(() -> TrustBundle.parse(TestCa.DOMAIN, "not json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> TrustBundle.parse(TestCa.DOMAIN, "{\"keys\":[]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no CA certificates");
    assertThatThrownBy(
            () ->
                TrustBundle.of(
                    TestCa.DOMAIN, List.of(CA.svid("/app").leaf()), 1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a CA certificate");
    assertThatThrownBy(
            () -> TrustBundle.of(TestCa.DOMAIN, List.of(CA.root()), -1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustBundle.of(TestCa.DOMAIN, List.of(CA.root()), 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustBundle.fromPem(TestCa.DOMAIN, "nothing here"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
