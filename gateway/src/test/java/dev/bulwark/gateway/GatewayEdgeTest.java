package dev.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.gateway.cors.CorsPolicy;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.RateLimitRule;
import dev.bulwark.gateway.ratelimit.RedisRateLimiter;
import dev.bulwark.gateway.ratelimit.StoreFailure;
import dev.bulwark.gateway.ratelimit.TokenBucket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's edge behaviour over real HTTPS: limits, reload, CORS, audit and metrics. */
class GatewayEdgeTest {
  private EdgeFixture fixture;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    fixture = new EdgeFixture();
    http = fixture.client();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private static RateLimitRule perClient(String name, long burst) {
    // A refill of one a minute: within a test, the burst is all there is.
    return new RateLimitRule(
        name, new TokenBucket(burst, 1, Duration.ofMinutes(1)), LimitKey.CLIENT, StoreFailure.DENY);
  }

  private GatewayRoutes routes(RouteSpec... specs) {
    return new GatewayRoutes(List.of(specs), List.of(fixture.trustedIssuer()));
  }

  private HttpResponse<String> get(Gateway gateway, String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(fixture.url(gateway, path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoGatewaysSharingRedisHoldTheCombinedLimit() throws Exception {
    // A rule name of its own, so no earlier run's buckets in the shared Redis count.
    String rule = "shared-" + UUID.randomUUID().toString().substring(0, 8);
    GatewayRoutes routes =
        routes(fixture.route("api", "/api").withRateLimits(List.of(perClient(rule, 20))));
    try (RedisRateLimiter redisA =
            RedisRateLimiter.builder("redis://127.0.0.1:6379", fixture.metrics.registry()).build();
        RedisRateLimiter redisB =
            RedisRateLimiter.builder("redis://127.0.0.1:6379", fixture.metrics.registry())
                .build()) {
      assertThat(redisA.connect()).isTrue();
      assertThat(redisB.connect()).isTrue();
      Gateway a = fixture.gateway(routes, b -> b.rateLimiter(redisA));
      Gateway b = fixture.gateway(routes, g -> g.rateLimiter(redisB));
      String token = fixture.token("bursty");
      ConcurrentMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          Gateway target = i % 2 == 0 ? a : b;
          calls.add(
              pool.submit(
                  () -> {
                    int status = get(target, "/api/x", token).statusCode();
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    return null;
                  }));
        }
        for (Future<?> call : calls) {
          call.get();
        }
      }
      assertThat(statuses.get(200)).hasValue(20);
      assertThat(statuses.get(429)).hasValue(40);
      assertThat(fixture.upstreamCalls).hasValue(20);
    }
  }

  @Test
  void aRefusalByRateLimitSaysWhenToComeBack() throws Exception {
    Gateway gateway =
        fixture.gateway(
            routes(
                fixture.route("api", "/api").withRateLimits(List.of(perClient("per-client", 1)))),
            b -> {});
    String token = fixture.token("c1");

    HttpResponse<String> first = get(gateway, "/api/x", token);
    HttpResponse<String> second = get(gateway, "/api/x", token);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"per-client\";q=1;w=60");
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    assertThat(second.headers().firstValue("RateLimit").orElseThrow()).contains("r=0");
    assertThat(second.body()).contains("\"error\":\"rate_limited\"");
    // Another client has a bucket of its own.
    assertThat(get(gateway, "/api/x", fixture.token("c2")).statusCode()).isEqualTo(200);
    assertThat(fixture.upstreamCalls).hasValue(2);
  }

  @Test
  void reloadsRoutesUnderTrafficWithoutDroppingARequest() throws Exception {
    Gateway gateway = fixture.gateway(routes(fixture.route("api", "/api")), b -> {});
    String token = fixture.token("steady");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> loops = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        loops.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    try {
                      int status = get(gateway, "/api/x", token).statusCode();
                      if (status == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add("status " + status);
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                  return null;
                }));
      }
      for (int i = 0; i < 10; i++) {
        // Each reload changes the route (a new limit), so a new table is really built.
        gateway.reload(
            routes(
                fixture
                    .route("api", "/api")
                    .withRateLimits(List.of(perClient("per-client-" + i, 1_000_000))),
                fixture.route("other-" + i, "/other")));
        Thread.sleep(50);
      }
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get();
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isPositive();
    assertThat(get(gateway, "/other/y", token).statusCode()).isEqualTo(200);
  }

  @Test
  void aReloadThatCannotBeAppliedLeavesTheRoutesInForce() throws Exception {
    Gateway gateway = fixture.gateway(routes(fixture.route("api", "/api")), b -> {});
    String token = fixture.token("c1");

    // Two routes for the same prefix: refused whole.
    assertThatThrownBy(
            () -> gateway.reload(routes(fixture.route("a", "/same"), fixture.route("b", "/same"))))
        .isInstanceOf(GatewayException.class)
        .hasMessageContaining("/same");

    assertThat(get(gateway, "/api/x", token).statusCode()).isEqualTo(200);
    assertThat(get(gateway, "/same/x", token).statusCode()).isEqualTo(404);
    assertThat(fixture.metrics.scrape())
        .contains("gateway_config_reloads_total{outcome=\"refused\"");
  }

  @Test
  void answersCorsPreflightsForAllowedOriginsOnly() throws Exception {
    RouteSpec withCors =
        fixture
            .route("api", "/api")
            .withCors(CorsPolicy.allowing(List.of("https://app.example.com")));
    Gateway gateway = fixture.gateway(routes(withCors), b -> {});

    HttpResponse<String> allowed = preflight(gateway, "https://app.example.com");
    HttpResponse<String> refused = preflight(gateway, "https://evil.example");

    assertThat(allowed.statusCode()).isEqualTo(204);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://app.example.com");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(fixture.upstreamCalls).as("preflights never reach the upstream").hasValue(0);
  }

  private HttpResponse<String> preflight(Gateway gateway, String origin) throws Exception {
    return http.send(
        HttpRequest.newBuilder(fixture.url(gateway, "/api/x"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyDecisionIsAuditedAndCountedByRouteAndReason() throws Exception {
    Gateway gateway = fixture.gateway(routes(fixture.route("api", "/api")), b -> {});

    get(gateway, "/api/x", fixture.token("c1"));
    get(gateway, "/api/x", "not-a-token");
    get(gateway, "/nowhere", fixture.token("c1"));

    // A forwarded request is recorded once its answer has gone, so possibly after the next
    // request's record: wait for all three, in any order.
    List<AuditEvent> decisions = List.of();
    for (int i = 0; i < 100 && decisions.size() < 3; i++) {
      Thread.sleep(20);
      decisions =
          fixture.audited.stream().filter(e -> e.action().equals("gateway.request")).toList();
    }
    assertThat(decisions)
        .extracting(
            e ->
                e.outcome() + " " + e.attribute("route").orElse("?") + " " + e.reason().orElse("?"))
        .containsExactlyInAnyOrder(
            "SUCCESS api forwarded", "FAILURE api malformed", "DENIED unmatched no_route");
    assertThat(
            decisions.stream()
                .filter(e -> e.reason().orElse("").equals("forwarded"))
                .findFirst()
                .orElseThrow()
                .attribute("status"))
        .hasValue("200");
    String scraped = fixture.metrics.scrape();
    assertThat(scraped)
        .contains("gateway_requests_total{outcome=\"forwarded\",route=\"api\"} 1.0")
        .contains("gateway_refusals_total{reason=\"malformed\",route=\"api\"} 1.0")
        .contains("gateway_request_duration_seconds_bucket{route=\"api\"");
  }
}
