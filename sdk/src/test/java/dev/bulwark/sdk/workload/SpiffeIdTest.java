package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://bulwark.local/bulwark/ca",
        "spiffe://bulwark.local",
        "spiffe://example-1_0.org/ns/default/sa/web",
        "spiffe://td/A-Za-z0-9._-/x",
        "spiffe://td/..a/a..",
      })
  void parsesValidIdsAndPrintsThemBackUnchanged(String value) {
    assertThat(SpiffeId.parse(value).toString()).isEqualTo(value);
    assertThat(SpiffeId.parse(value).toUri().toString()).isEqualTo(value);
  }

  @Test
  void splitsTrustDomainAndPath() {
    SpiffeId id = SpiffeId.parse("spiffe://bulwark.local/ns/prod/sa/api");

    assertThat(id.trustDomain()).isEqualTo(TrustDomain.of("bulwark.local"));
    assertThat(id.path()).isEqualTo("/ns/prod/sa/api");
    assertThat(id.memberOf(TrustDomain.of("bulwark.local"))).isTrue();
    assertThat(id.memberOf(TrustDomain.of("other.local"))).isFalse();
    assertThat(id).isEqualTo(SpiffeId.of(TrustDomain.of("bulwark.local"), "/ns/prod/sa/api"));
    assertThat(id.hashCode())
        .isEqualTo(SpiffeId.parse("spiffe://bulwark.local/ns/prod/sa/api").hashCode());
    assertThat(TrustDomain.of("bulwark.local").id().toString()).isEqualTo("spiffe://bulwark.local");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "SPIFFE://td/a           | scheme 'spiffe://' in lowercase",
        "https://td/a            | scheme 'spiffe://' in lowercase",
        "spiffe:/td/a            | scheme 'spiffe://' in lowercase",
        "spiffe:td/a             | scheme 'spiffe://' in lowercase",
        "spiffe:///a             | expected 1-255 characters",
        "spiffe://              | expected 1-255 characters",
        "spiffe://TD/a           | character 'T' is not allowed",
        "spiffe://td:8080/a      | character ':' is not allowed",
        "spiffe://user@td/a      | character '@' is not allowed",
        "spiffe://td/            | trailing '/'",
        "spiffe://td//a          | empty segments",
        "spiffe://td/a/          | trailing '/'",
        "spiffe://td/./a         | '.' and '..' are not allowed",
        "spiffe://td/a/..        | '.' and '..' are not allowed",
        "spiffe://td/a%20b       | character '%' is not allowed",
        "spiffe://td/a?x=1       | character '?' is not allowed",
        "spiffe://td/a#frag      | character '#' is not allowed",
        "spiffe://td/a b         | character ' ' is not allowed",
        "spiffe://td/ä           | character 'ä' is not allowed",
      })
  void refusesIdsThatBreakTheSpecificationNamingTheRule(String value, String rule) {
    assertThatThrownBy(() -> SpiffeId.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(rule);
  }

  @Test
  void refusesIdsLongerThan2048Bytes() {
    String longPath = "/" + "a".repeat(2048 - "spiffe://td/".length());
    assertThat(SpiffeId.parse("spiffe://td" + longPath).toString()).hasSize(2048);

    assertThatThrownBy(() -> SpiffeId.parse("spiffe://td" + longPath + "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 2048 bytes");
  }

  @Test
  void refusesTrustDomainsLongerThan255Characters() {
    assertThat(TrustDomain.of("a".repeat(255)).name()).hasSize(255);
    assertThatThrownBy(() -> TrustDomain.of("a".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1-255 characters");
  }

  @Test
  void readsTheOneUriSanOfACertificate() {
    TestCa ca = TestCa.create();
    SpiffeId id = SpiffeId.parse("spiffe://bulwark.test/app");

    assertThat(SpiffeId.fromCertificate(ca.leaf(id).issue())).contains(id);
    assertThat(SpiffeId.fromCertificate(ca.leaf(id).uris().issue())).isEmpty();
    X509Certificate twoIds =
        ca.leaf(id).uris("spiffe://bulwark.test/a", "spiffe://bulwark.test/b").issue();
    assertThatThrownBy(() -> SpiffeId.fromCertificate(twoIds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 URI SANs");
    X509Certificate notSpiffe = ca.leaf(id).uris("https://bulwark.test/app").issue();
    assertThatThrownBy(() -> SpiffeId.fromCertificate(notSpiffe))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
