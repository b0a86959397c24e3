package dev.bulwark.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateLimitRuleTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "Per-Client", "per client", "a\"b", "a:b", "a;q=1"})
  void refusesANameThatCannotBeAHeaderToken(String name) {
    assertThatThrownBy(
            () ->
                new RateLimitRule(
                    name, TokenBucket.parse("1/s", 1), LimitKey.CLIENT, StoreFailure.DENY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name: \"" + name + "\"");
  }

  @Test
  void refusesAMissingBucket() {
    assertThatThrownBy(() -> new RateLimitRule("a", null, LimitKey.CLIENT, StoreFailure.DENY))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("bucket");
  }
}
