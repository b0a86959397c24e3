package dev.bulwark.gateway.ratelimit;

import static dev.bulwark.gateway.ratelimit.TestRules.admitted;
import static dev.bulwark.gateway.ratelimit.TestRules.rule;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Against the real Redis on 127.0.0.1:6379; each test's rule has a random name of its own. */
class RedisRateLimiterTest {
  private static final String REDIS = "redis://127.0.0.1:6379";
  private static final String CLOSED_PORT = "redis://127.0.0.1:1";

  private static RedisClient inspector;
  private static StatefulRedisConnection<String, String> inspection;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<RedisRateLimiter> limiters = new ArrayList<>();
  private final List<RateLimitRule> rules = new ArrayList<>();

  @BeforeAll
  static void connectInspector() {
    inspector = RedisClient.create(REDIS);
    inspection = inspector.connect();
  }

  @AfterAll
  static void closeInspector() {
    inspection.close();
    inspector.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @AfterEach
  void cleanUp() {
    limiters.forEach(RedisRateLimiter::close);
    for (RateLimitRule r : rules) {
      List<String> keys = inspection.sync().keys(RedisRateLimiter.KEY_PREFIX + r.name() + ":*");
      if (!keys.isEmpty()) {
        inspection.sync().del(keys.toArray(String[]::new));
      }
    }
  }

  private RedisRateLimiter limiter(String uri) {
    RedisRateLimiter limiter =
        RedisRateLimiter.builder(uri, registry)
            // Generous: the machine is shared and noisy; the failing limiter refuses at once
            // anyway.
            .commandTimeout(Duration.ofSeconds(2))
            .build();
    limiters.add(limiter);
    return limiter;
  }

  private RateLimitRule tracked(RateLimitRule rule) {
    rules.add(rule);
    return rule;
  }

  @Test
  void admitsTheBurstThenRefuses() {
    RedisRateLimiter limiter = limiter(REDIS);
    RateLimitRule rule = tracked(rule("1/h", 5));
    for (int i = 4; i >= 0; i--) {
      RateLimitDecision d = limiter.tryAcquire(rule, "client-a");
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(i);
      assertThat(d.degraded()).isFalse();
    }
    RateLimitDecision refused = limiter.tryAcquire(rule, "client-a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.degraded()).isFalse();
    assertThat(refused.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
    assertThat(admitted(limiter, rule, "client-b", 10)).isEqualTo(5);
  }

  @Test
  void refillsOnTheServersClock() throws InterruptedException {
    RedisRateLimiter limiter = limiter(REDIS);
    RateLimitRule rule = tracked(rule("10/s", 2));
    assertThat(admitted(limiter, rule, "k", 5)).isEqualTo(2);
    Thread.sleep(250); // two tokens at 10/s take 200 ms
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
  }

  @Test
  void bucketsExpireOnceTheyWouldBeFull() {
    RedisRateLimiter limiter = limiter(REDIS);
    RateLimitRule rule = tracked(rule("1/m", 3));
    limiter.tryAcquire(rule, "k");
    long ttl = inspection.sync().pttl(RedisRateLimiter.KEY_PREFIX + rule.name() + ":k");
    // One token missing at one a minute: full in 60 s, plus a second's margin.
    assertThat(ttl).isPositive().isLessThanOrEqualTo(61_000);
  }

  @Test
  void reloadsTheScriptWhenTheServerForgotIt() {
    RedisRateLimiter limiter = limiter(REDIS);
    RateLimitRule rule = tracked(rule("1/h", 3));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
    inspection.sync().scriptFlush();
    RateLimitDecision d = limiter.tryAcquire(rule, "k");
    assertThat(d.allowed()).isTrue();
    assertThat(d.degraded()).isFalse();
    assertThat(d.remaining()).isEqualTo(1);
  }

  @Test
  void twoGatewaysSharingRedisAdmitExactlyTheBurstBetweenThem() throws Exception {
    RedisRateLimiter first = limiter(REDIS);
    RedisRateLimiter second = limiter(REDIS);
    RateLimitRule rule = tracked(rule("1/d", 300));
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (int t = 0; t < 16; t++) {
        RedisRateLimiter gateway = t % 2 == 0 ? first : second;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  allowed.addAndGet(admitted(gateway, rule, "shared", 40));
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    }
    assertThat(allowed).hasValue(300);
  }

  @Test
  void denyRuleRefusesWhileTheStoreIsUnreachable() {
    RedisRateLimiter limiter = limiter(CLOSED_PORT);
    RateLimitRule rule = rule("100/s", 100, StoreFailure.DENY);
    RateLimitDecision d = limiter.tryAcquire(rule, "k");
    assertThat(d.allowed()).isFalse();
    assertThat(d.degraded()).isTrue();
    assertThat(d.retryAfter()).isPositive();
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isFalse();
    assertThat(failures(rule, "denied")).isEqualTo(2);
  }

  @Test
  void localRuleFallsBackToThisGatewaysBuckets() {
    RedisRateLimiter limiter = limiter(CLOSED_PORT);
    RateLimitRule rule = rule("1/h", 3, StoreFailure.LOCAL);
    for (int i = 0; i < 3; i++) {
      RateLimitDecision d = limiter.tryAcquire(rule, "k");
      assertThat(d.allowed()).isTrue();
      assertThat(d.degraded()).isTrue();
    }
    RateLimitDecision refused = limiter.tryAcquire(rule, "k");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.degraded()).isTrue();
    assertThat(failures(rule, "local")).isEqualTo(4);
  }

  @Test
  void aLimiterOnAWorkingServerCountsAfterAFailingOne() {
    RateLimitRule rule = tracked(rule("1/h", 2, StoreFailure.DENY));
    assertThat(limiter(CLOSED_PORT).tryAcquire(rule, "k").allowed()).isFalse();
    RedisRateLimiter working = limiter(REDIS);
    RateLimitDecision d = working.tryAcquire(rule, "k");
    assertThat(d.allowed()).isTrue();
    assertThat(d.degraded()).isFalse();
  }

  @Test
  void reconnectsAfterTheServerClosedTheConnection() {
    // A name of its own, so the test closes only this limiter's connection on the shared server.
    String name = "bulwark-rl-test-" + Long.toHexString(System.nanoTime());
    RedisRateLimiter limiter = limiter(REDIS + "?clientName=" + name);
    RateLimitRule rule = tracked(rule("1/h", 1_000, StoreFailure.DENY));
    assertThat(limiter.tryAcquire(rule, "k").allowed()).isTrue();
    String id =
        inspection
            .sync()
            .clientList()
            .lines()
            .filter(line -> line.contains(" name=" + name + " "))
            .map(line -> line.substring(line.indexOf("id=") + 3, line.indexOf(' ')))
            .findFirst()
            .orElseThrow();
    assertThat(
            inspection.sync().clientKill(io.lettuce.core.KillArgs.Builder.id(Long.parseLong(id))))
        .isEqualTo(1L);
    // Lettuce reconnects by itself; while it does, requests are refused (degraded), never queued.
    RateLimitDecision d = limiter.tryAcquire(rule, "k");
    for (int i = 0; i < 200 && d.degraded(); i++) {
      sleepBriefly();
      d = limiter.tryAcquire(rule, "k");
    }
    assertThat(d.allowed()).isTrue();
    assertThat(d.degraded()).isFalse();
  }

  @Test
  void logsAnOutageOnceNotPerRequest() {
    Logger logger = (Logger) LoggerFactory.getLogger(RedisRateLimiter.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try {
      RedisRateLimiter limiter = limiter(CLOSED_PORT);
      RateLimitRule rule = rule("100/s", 100, StoreFailure.LOCAL);
      assertThat(admitted(limiter, rule, "k", 20)).isEqualTo(20);
      assertThat(events.list).hasSize(1);
      assertThat(events.list.getFirst().getLevel()).isEqualTo(Level.WARN);
      assertThat(failures(rule, "local")).isEqualTo(20);
    } finally {
      logger.detachAppender(events);
    }
  }

  @Test
  @Timeout(30) // a hang check, not a timing assertion: the limiter's own timeouts are 200 ms
  void aServerThatNeverAnswersIsAFailureNotAHang() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RedisRateLimiter limiter =
          RedisRateLimiter.builder("redis://127.0.0.1:" + silent.getLocalPort(), registry)
              .commandTimeout(Duration.ofMillis(200))
              .connectTimeout(Duration.ofMillis(200))
              .build();
      limiters.add(limiter);
      RateLimitRule rule = rule("100/s", 100, StoreFailure.DENY);
      RateLimitDecision d = limiter.tryAcquire(rule, "k");
      assertThat(d.allowed()).isFalse();
      assertThat(d.degraded()).isTrue();
      assertThat(failures(rule, "denied")).isEqualTo(1);
    }
  }

  private double failures(RateLimitRule rule, String outcome) {
    var counter =
        registry
            .find(RedisRateLimiter.FAILURES_METRIC)
            .tag("rule", rule.name())
            .tag("outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(25);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
