package dev.bulwark.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
  private static final RateLimitRule PER_CLIENT =
      new RateLimitRule(
          "per-client", TokenBucket.parse("100/s", 100), LimitKey.CLIENT, StoreFailure.LOCAL);
  private static final RateLimitRule PER_ROUTE =
      new RateLimitRule(
          "per-route", TokenBucket.parse("1000/m", 2000), LimitKey.ROUTE, StoreFailure.DENY);

  private static final String POLICY = RateLimitHeaders.policy(List.of(PER_CLIENT, PER_ROUTE));

  private static Map<String, String> headers(RateLimitDecision... decisions) {
    Map<String, String> headers = new LinkedHashMap<>();
    RateLimitHeaders.write(POLICY, List.of(decisions), headers::put);
    return headers;
  }

  @Test
  void policyListsEveryRuleOfTheRouteEvenWhenTheFirstOneRefuses() {
    assertThat(
            headers(
                new RateLimitDecision(
                    false, PER_CLIENT, 0, Duration.ofSeconds(1), Duration.ofMillis(10), false)))
        .containsEntry("RateLimit-Policy", "\"per-client\";q=100;w=1, \"per-route\";q=2000;w=120")
        .containsEntry("RateLimit", "\"per-client\";r=0;t=1");
  }

  @Test
  void policyNamesARuleOnce() {
    assertThat(RateLimitHeaders.policy(List.of(PER_CLIENT, PER_CLIENT)))
        .isEqualTo("\"per-client\";q=100;w=1");
    assertThat(RateLimitHeaders.policy(List.of())).isEmpty();
  }

  @Test
  void allowanceReportsTheRuleWithFewestTokensLeft() {
    assertThat(
            headers(
                new RateLimitDecision(
                    true, PER_CLIENT, 42, Duration.ofMillis(580), Duration.ZERO, false),
                new RateLimitDecision(
                    true, PER_ROUTE, 1500, Duration.ofSeconds(30), Duration.ZERO, false)))
        .containsExactly(
            Map.entry("RateLimit-Policy", "\"per-client\";q=100;w=1, \"per-route\";q=2000;w=120"),
            Map.entry("RateLimit", "\"per-client\";r=42;t=1"));
  }

  @Test
  void refusalReportsTheRefusingRuleAndRetryAfterRoundedUp() {
    assertThat(
            headers(
                new RateLimitDecision(
                    true, PER_CLIENT, 0, Duration.ofSeconds(1), Duration.ZERO, false),
                new RateLimitDecision(
                    false,
                    PER_ROUTE,
                    0,
                    Duration.ofMillis(120_001),
                    Duration.ofMillis(2_001),
                    false)))
        .containsExactly(
            Map.entry("RateLimit-Policy", "\"per-client\";q=100;w=1, \"per-route\";q=2000;w=120"),
            Map.entry("RateLimit", "\"per-route\";r=0;t=121"),
            Map.entry("Retry-After", "3"));
  }

  @Test
  void retryAfterIsNeverZeroSeconds() {
    assertThat(
            headers(
                new RateLimitDecision(
                    false, PER_CLIENT, 0, Duration.ofMillis(10), Duration.ofMillis(10), false)))
        .containsEntry("Retry-After", "1");
  }

  @Test
  void theLongestWaitBindsAmongRefusals() {
    assertThat(
            headers(
                new RateLimitDecision(
                    false, PER_CLIENT, 0, Duration.ofSeconds(1), Duration.ofMillis(10), false),
                new RateLimitDecision(
                    false, PER_ROUTE, 0, Duration.ofSeconds(9), Duration.ofSeconds(7), false)))
        .containsEntry("RateLimit", "\"per-route\";r=0;t=9")
        .containsEntry("Retry-After", "7");
  }

  @Test
  void amongEqualAllowancesTheLongestTimeToFullBindsThenTheFirst() {
    assertThat(
            headers(
                new RateLimitDecision(
                    true, PER_CLIENT, 5, Duration.ofSeconds(1), Duration.ZERO, false),
                new RateLimitDecision(
                    true, PER_ROUTE, 5, Duration.ofMillis(29_500), Duration.ZERO, false)))
        .containsEntry("RateLimit", "\"per-route\";r=5;t=30");
    assertThat(
            headers(
                new RateLimitDecision(
                    true, PER_ROUTE, 5, Duration.ofSeconds(2), Duration.ZERO, false),
                new RateLimitDecision(
                    true, PER_CLIENT, 5, Duration.ofSeconds(2), Duration.ZERO, false)))
        .containsEntry("RateLimit", "\"per-route\";r=5;t=2");
  }

  @Test
  void writesNothingWithoutDecisions() {
    assertThat(headers()).isEmpty();
  }

  @Test
  void aLocalLimitersDecisionsMakeTheDraftsHeaders() {
    LocalRateLimiter limiter = LocalRateLimiter.create();
    RateLimitDecision first = limiter.tryAcquire(PER_CLIENT, "c");
    assertThat(headers(first))
        .containsEntry("RateLimit-Policy", "\"per-client\";q=100;w=1, \"per-route\";q=2000;w=120")
        .containsEntry("RateLimit", "\"per-client\";r=99;t=1");
  }
}
