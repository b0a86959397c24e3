package dev.bulwark.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {
  @Test
  void refusesOneMoreThanTheLimit() {
    ConcurrencyLimit limit = ConcurrencyLimit.of(3);
    List<ConcurrencyLimit.Permit> permits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      permits.add(limit.tryAcquire().orElseThrow());
    }
    assertThat(limit.inFlight()).isEqualTo(3);
    assertThat(limit.tryAcquire()).isEmpty();
    permits.getFirst().close();
    assertThat(limit.inFlight()).isEqualTo(2);
    assertThat(limit.tryAcquire()).isPresent();
  }

  @Test
  void closingAPermitTwiceReleasesOnce() {
    ConcurrencyLimit limit = ConcurrencyLimit.of(2);
    ConcurrencyLimit.Permit first = limit.tryAcquire().orElseThrow();
    try (ConcurrencyLimit.Permit second = limit.tryAcquire().orElseThrow()) {
      first.close();
      first.close();
      assertThat(limit.inFlight()).isEqualTo(1);
      assertThat(limit.tryAcquire()).isPresent();
      assertThat(limit.tryAcquire()).isEmpty();
      assertThat(second).isNotNull();
    }
  }

  @Test
  void refusesALimitBelowOne() {
    assertThatThrownBy(() -> ConcurrencyLimit.of(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max: 0 (expected: >= 1)");
  }
}
