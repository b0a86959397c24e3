package dev.bulwark.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamPolicyTest {
  private static final URI TARGET = URI.create("https://10.0.0.1:8445");

  @Test
  void refusesAPlaintextTarget() {
    assertThatThrownBy(
            () ->
                UpstreamPolicy.defaults(
                    List.of(URI.create("http://10.0.0.1:8080")), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("targets: http://10.0.0.1:8080 (expected: an https URL)");
  }

  @Test
  void refusesNoTargetsAndDuplicates() {
    assertThatThrownBy(() -> UpstreamPolicy.defaults(List.of(), Duration.ofSeconds(5)))
        .hasMessageContaining("targets: empty");
    assertThatThrownBy(
            () -> UpstreamPolicy.defaults(List.of(TARGET, TARGET), Duration.ofSeconds(5)))
        .hasMessageContaining("no duplicates");
  }

  @Test
  void refusesMoreThanFiveRetriesAndNonPositiveDurations() {
    UpstreamPolicy policy = UpstreamPolicy.defaults(List.of(TARGET), Duration.ofSeconds(5));

    assertThatThrownBy(() -> policy.withMaxRetries(6)).hasMessageContaining("maxRetries: 6");
    assertThatThrownBy(() -> policy.withBreaker(0, Duration.ofSeconds(1)))
        .hasMessageContaining("failureThreshold: 0");
    assertThatThrownBy(() -> policy.withEjection(1, Duration.ZERO))
        .hasMessageContaining("ejectFor: PT0S (expected: > 0)");
  }
}
