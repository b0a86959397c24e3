package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway of a running {@code bulwark up}: its default limits throttle a client that bursts,
 * and its routes follow the config file while it runs, refusing a bad one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayEdgeIT {
  @TempDir static Path work;
  private static Path config;
  private static TestBulwarkProcess bulwark;

  @BeforeAll
  static void startBulwark() throws Exception {
    config = work.resolve("bulwark.yaml");
    Files.writeString(config, "gateway:\n  reload_interval: 200ms\n");
    bulwark = TestBulwarkProcess.up(work.resolve("data"), Map.of(), "--config", config.toString());
  }

  @AfterAll
  static void stopBulwark() {
    if (bulwark != null) {
      bulwark.close();
    }
  }

  @Test
  @Order(1)
  void oneClientBurstingAThousandRequestsIsThrottledByTheDefaultLimits() throws Exception {
    String token = bulwark.token("demo-shop", Optional.empty());
    ConcurrentMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    AtomicReference<HttpResponse<String>> throttled = new AtomicReference<>();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        calls.add(
            pool.submit(
                () -> {
                  HttpResponse<String> response =
                      bulwark.get(bulwark.gateway("/payments"), Optional.of(token));
                  statuses
                      .computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                      .incrementAndGet();
                  if (response.statusCode() == 429) {
                    throttled.set(response);
                  }
                  return null;
                }));
      }
      for (Future<?> call : calls) {
        call.get();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int served = statuses.getOrDefault(200, new AtomicInteger()).get();
    int refused = statuses.getOrDefault(429, new AtomicInteger()).get();

    assertThat(served + refused).as("every answer is 200 or 429: %s", statuses).isEqualTo(1_000);
    // The per-client bucket holds 200 and refills 100 a second: never more than that is served,
    // however long the burst took on this machine.
    assertThat((double) served).isLessThanOrEqualTo(200 + 100 * seconds + 1);
    assertThat(refused).isPositive();
    HttpResponse<String> example = throttled.get();
    assertThat(example.headers().firstValue("Retry-After")).isPresent();
    // Whichever bucket ran dry first: the client's, or (since refused requests count too) the
    // source address's.
    assertThat(example.headers().firstValue("RateLimit-Policy").orElseThrow())
        .containsAnyOf("\"per-client\";q=200", "\"per-address\";q=400");
    assertThat(example.headers().firstValue("RateLimit").orElseThrow()).contains("r=0");
    assertThat(example.body()).contains("rate_limited");
  }

  @Test
  @Order(2)
  void routesFollowTheConfigFileAndABadFileChangesNothing() throws Exception {
    Files.writeString(
        config,
        """
        gateway:
          reload_interval: 200ms
          routes:
            - name: payments
              path_prefix: /payments
              service: payments
              audience: urn:bulwark:payments
              rate_limits:
                - name: tight
                  key: client
                  rate: 1/m
                  burst: 3
            - name: profiles
              path_prefix: /profiles
              service: profiles
              audience: urn:bulwark:profiles
        """);
    String token = bulwark.token("demo-shop", Optional.empty());
    HttpResponse<String> first = awaitPolicy(token, "\"tight\";q=3");

    assertThat(first.statusCode()).isEqualTo(200);
    int refused = 0;
    for (int i = 0; i < 4; i++) {
      if (bulwark.get(bulwark.gateway("/payments"), Optional.of(token)).statusCode() == 429) {
        refused++;
      }
    }
    assertThat(refused).as("3 in the bucket, one already taken").isGreaterThanOrEqualTo(2);

    Files.writeString(config, Files.readString(config).replace("rate: 1/m", "rate: 1/fortnight"));
    for (int i = 0; i < 100 && !bulwark.logs().contains("did not apply"); i++) {
      Thread.sleep(100);
    }
    assertThat(bulwark.logs())
        .contains("did not apply")
        .contains("gateway.routes[0].rate_limits[0].rate");
    assertThat(
            bulwark
                .get(bulwark.gateway("/payments"), Optional.of(token))
                .headers()
                .firstValue("RateLimit-Policy"))
        .as("the routes in force stay")
        .hasValueSatisfying(v -> assertThat(v).contains("\"tight\";q=3"));
  }

  // The reload is polled every 200 ms: wait until a response shows the new policy.
  private static HttpResponse<String> awaitPolicy(String token, String policy) throws Exception {
    HttpResponse<String> response = null;
    for (int i = 0; i < 100; i++) {
      response = bulwark.get(bulwark.gateway("/payments"), Optional.of(token));
      if (response.headers().firstValue("RateLimit-Policy").orElse("").contains(policy)) {
        return response;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the new routes never took effect: " + response.headers().map());
  }
}
