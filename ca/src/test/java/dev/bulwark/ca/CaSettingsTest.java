package dev.bulwark.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustDomain;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaSettingsTest {
  private static final TrustDomain DOMAIN = TrustDomain.of("bulwark.test");
  private final CaSettings defaults = CaSettings.defaults(DOMAIN);

  @Test
  void defaultsFollowTheDesign() {
    assertThat(defaults.svidTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.joinTokenTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(defaults.admins()).isEmpty();
    assertThat(defaults.listenerDnsNames()).containsExactly("localhost");
    assertThat(defaults.listenerAddresses())
        .containsExactly(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1"));
    assertThat(defaults.kubernetes()).isEmpty();
    assertThat(defaults.caId()).isEqualTo(SpiffeId.parse("spiffe://bulwark.test/bulwark/ca"));
  }

  @Test
  void refusesSvidLifetimesOutsideTheirBounds() {
    assertThatThrownBy(() -> defaults.withSvidTtl(Duration.ofSeconds(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("svid_ttl");
    assertThatThrownBy(() -> defaults.withSvidTtl(Duration.ofDays(8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(defaults.withSvidTtl(Duration.ofSeconds(5)).svidTtl())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void refusesJoinTokensLivingBeyondADay() {
    assertThatThrownBy(() -> defaults.withJoinTokenTtl(Duration.ofHours(25)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("join_token_ttl");
    assertThat(defaults.withJoinTokenTtl(Duration.ofHours(24)).joinTokenTtl())
        .isEqualTo(Duration.ofHours(24));
  }

  @Test
  void refusesAdminsOutsideTheTrustDomain() {
    assertThatThrownBy(
            () -> defaults.withAdmins(Set.of(SpiffeId.parse("spiffe://elsewhere.test/admin"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("admins");
    assertThatThrownBy(() -> defaults.withAdmins(Set.of(DOMAIN.id())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesListenerNamesThatAreNotHostNames() {
    assertThatThrownBy(() -> defaults.withListenerNames(List.of("bad name"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dns_names");
  }

  @Test
  void kubernetesSettingsDefaultToTheCaAudienceAndRefuseBadValues() {
    JWKSet keys = new TestKubernetesIssuer().jwks();
    KubernetesSettings kubernetes =
        KubernetesSettings.of("https://k8s.example", KubernetesSettings.Keys.fixed(keys));

    assertThat(kubernetes.audience()).isEqualTo("bulwark-ca");
    assertThat(kubernetes.allowedNamespaces()).isEmpty();
    assertThatThrownBy(() -> kubernetes.withAllowedNamespaces(Set.of("Not_A_Namespace")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KubernetesSettings.Keys.fixed(new JWKSet()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            ((KubernetesSettings.FixedKeys) KubernetesSettings.Keys.fixed(keys)).keys().getKeys())
        .allSatisfy(key -> assertThat(key.isPrivate()).isFalse());
  }
}
