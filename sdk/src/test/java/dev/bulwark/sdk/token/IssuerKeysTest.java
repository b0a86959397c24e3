package dev.bulwark.sdk.token;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IssuerKeysTest {
  @Test
  void defaultOptionsAreConsistent() {
    assertThatCode(IssuerKeys.Options::defaults).doesNotThrowAnyException();
  }

  @Test
  void optionsRefuseRefetchIntervalNotShorterThanCacheLifetime() {
    assertThatThrownBy(
            () ->
                new IssuerKeys.Options(
                    Duration.ofSeconds(30),
                    Duration.ZERO,
                    Duration.ofSeconds(30),
                    Duration.ofHours(1),
                    Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknownKeyRefetchInterval");
  }

  @Test
  void optionsRefuseRefreshAheadThatDoesNotFitTheCacheLifetime() {
    assertThatThrownBy(
            () ->
                new IssuerKeys.Options(
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(29),
                    Duration.ofSeconds(10),
                    Duration.ofHours(1),
                    Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refreshAhead");
  }
}
