package dev.bulwark.gateway.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {
  private final CorsPolicy policy = CorsPolicy.allowing(List.of("https://app.example.com"));

  @Test
  void answersAPreflightFromAnAllowedOriginWithTheAllowedMethodsAndHeaders() {
    var headers =
        policy.preflight(
            "https://app.example.com", "POST", Optional.of("Authorization, Content-Type"));

    assertThat(headers).isPresent();
    assertThat(headers.get())
        .containsEntry("Access-Control-Allow-Origin", "https://app.example.com")
        .containsEntry("Vary", "Origin")
        .containsEntry("Access-Control-Allow-Headers", "authorization, content-type")
        .containsEntry("Access-Control-Max-Age", "600")
        .doesNotContainKey("Access-Control-Allow-Credentials");
    assertThat(headers.get().get("Access-Control-Allow-Methods")).contains("POST", "DELETE");
  }

  @Test
  void refusesAPreflightFromAnotherOriginOrForAnotherMethodOrHeader() {
    assertThat(policy.preflight("https://evil.example", "GET", Optional.empty())).isEmpty();
    // An origin that merely starts with an allowed one is another origin.
    assertThat(policy.preflight("https://app.example.com.evil.example", "GET", Optional.empty()))
        .isEmpty();
    assertThat(policy.preflight("null", "GET", Optional.empty())).isEmpty();
    assertThat(policy.preflight("https://app.example.com", "TRACE", Optional.empty())).isEmpty();
    assertThat(
            policy.preflight(
                "https://app.example.com", "GET", Optional.of("authorization, x-user")))
        .isEmpty();
  }

  @Test
  void actualRequestsFromAnAllowedOriginMayReadTheRateLimitHeaders() {
    assertThat(policy.actual("https://app.example.com"))
        .containsEntry("Access-Control-Allow-Origin", "https://app.example.com")
        .containsEntry(
            "Access-Control-Expose-Headers",
            "ratelimit, ratelimit-policy, retry-after, x-request-id");
    assertThat(policy.actual("https://evil.example")).isEmpty();
  }

  @Test
  void theWildcardNeverGoesWithCredentials() {
    assertThatThrownBy(
            () ->
                new CorsPolicy(
                    Set.of("*"), Set.of("GET"), Set.of(), Set.of(), true, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowCredentials");
    CorsPolicy open =
        new CorsPolicy(Set.of("*"), Set.of("GET"), Set.of(), Set.of(), false, Duration.ZERO);
    assertThat(open.actual("https://anyone.example"))
        .containsEntry("Access-Control-Allow-Origin", "*")
        .doesNotContainKey("Vary");
  }

  @Test
  void refusesOriginsThatAreNotJustSchemeHostAndPort() {
    for (String bad :
        List.of("https://app.example.com/", "app.example.com", "https://App.example.com", "*x")) {
      assertThatThrownBy(() -> CorsPolicy.allowing(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("allowedOrigins");
    }
  }
}
