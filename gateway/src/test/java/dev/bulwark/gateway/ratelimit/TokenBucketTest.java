package dev.bulwark.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenBucketTest {
  @Test
  void parsesRatesPerUnitAndPerCountedUnit() {
    assertThat(TokenBucket.parse("100/s", 200))
        .isEqualTo(new TokenBucket(200, 100, Duration.ofSeconds(1)));
    assertThat(TokenBucket.parse("600/m", 10).period()).isEqualTo(Duration.ofMinutes(1));
    assertThat(TokenBucket.parse("10/1s", 10).period()).isEqualTo(Duration.ofSeconds(1));
    assertThat(TokenBucket.parse("5000/h", 5000).period()).isEqualTo(Duration.ofHours(1));
    assertThat(TokenBucket.parse("20/10s", 5).period()).isEqualTo(Duration.ofSeconds(10));
    assertThat(TokenBucket.parse("1/d", 1).period()).isEqualTo(Duration.ofDays(1));
    assertThat(TokenBucket.parse("5/250ms", 5).period()).isEqualTo(Duration.ofMillis(250));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "100", "100/", "/s", "100/x", "-1/s", "0/s", "10/0s", "1.5/s", "10 / s"})
  void refusesMalformedRatesNamingTheValue(String rate) {
    assertThatThrownBy(() -> TokenBucket.parse(rate, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate: \"" + rate + "\"");
  }

  @Test
  void refusesABurstBelowOne() {
    assertThatThrownBy(() -> TokenBucket.parse("10/s", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("burst: 0");
  }

  @Test
  void refusesABucketTooLargeToCountExactlyInRedis() {
    assertThatThrownBy(() -> TokenBucket.parse("1/d", 1_000_000_000L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("burst: 1000000000");
  }

  @Test
  void windowIsTheTimeToFillAnEmptyBucket() {
    assertThat(TokenBucket.parse("100/s", 100).windowSeconds()).isEqualTo(1);
    assertThat(TokenBucket.parse("100/s", 200).windowSeconds()).isEqualTo(2);
    assertThat(TokenBucket.parse("3/s", 10).windowSeconds()).isEqualTo(4);
    assertThat(TokenBucket.parse("600/m", 600).windowSeconds()).isEqualTo(60);
  }

  @Test
  void refillIsExactForRatesThatDoNotDivideThePeriod() {
    TokenBucket bucket = TokenBucket.parse("3/s", 3);
    // Three tokens a second: one every 333,333.33 microseconds, so two need 666,667.
    assertThat(bucket.refilled(0, 666_666)).isLessThan(2 * bucket.unitsPerToken());
    assertThat(bucket.refilled(0, 666_667)).isGreaterThanOrEqualTo(2 * bucket.unitsPerToken());
    assertThat(bucket.refilled(0, 10_000_000)).isEqualTo(bucket.capacityUnits());
    assertThat(bucket.refilled(5, -1_000)).isEqualTo(5);
  }
}
