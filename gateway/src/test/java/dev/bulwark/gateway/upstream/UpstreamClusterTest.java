package dev.bulwark.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.testing.MutableClock;
import io.helidon.http.Status;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An {@link UpstreamCluster} between a real HTTPS front listener and real HTTPS upstreams. */
class UpstreamClusterTest {
  private final TestUpstreams fixture = new TestUpstreams();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** An upstream that counts its calls and answers 200 with its name, reading any body. */
  private URI counting(String name, AtomicInteger calls) {
    return fixture.upstream(
        name,
        (req, res) -> {
          calls.incrementAndGet();
          req.content().consume();
          res.header("X-Upstream", name);
          res.send(name);
        });
  }

  /** An upstream that counts its calls and answers 503 while {@code failing} is set, else 200. */
  private URI flaky(String name, AtomicInteger calls, AtomicBoolean failing) {
    return fixture.upstream(
        name,
        (req, res) -> {
          calls.incrementAndGet();
          req.content().consume();
          res.status(failing.get() ? Status.SERVICE_UNAVAILABLE_503 : Status.OK_200);
          res.send(name);
        });
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(fixture.front.url().resolve(path)).GET());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return send(
        HttpRequest.newBuilder(fixture.front.url().resolve(path))
            .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":1}")));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void spreadsRequestsRoundRobinOverTheTargets() throws Exception {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    fixture.serve(TestUpstreams.policy(counting("a", a), counting("b", b)), clock);

    for (int i = 0; i < 6; i++) {
      assertThat(get("/items?page=" + i).statusCode()).isEqualTo(200);
    }

    assertThat(a.get()).isEqualTo(3);
    assertThat(b.get()).isEqualTo(3);
  }

  @Test
  void forwardsThePathQueryAndExtraHeadersAndForbidsCaching() throws Exception {
    fixture.serve(
        TestUpstreams.policy(
            fixture.upstream(
                "echo",
                (req, res) ->
                    res.send(
                        req.path().rawPath()
                            + "?"
                            + req.query().rawValue()
                            + " "
                            + req.headers()
                                .first(io.helidon.http.HeaderNames.create("X-Route"))
                                .orElse("-")))),
        clock);

    HttpResponse<String> response = get("/a/b?x=1");

    assertThat(response.body()).isEqualTo("/a/b?x=1 test");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void ejectsADeadTargetAfterItsFailuresAndLetsItBackAfterEjectFor() throws Exception {
    AtomicInteger live = new AtomicInteger();
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(TestUpstreams.closedPort(), counting("live", live))
                .withEjection(2, Duration.ofSeconds(30)),
            clock);

    int failed = 0;
    for (int i = 0; i < 4; i++) {
      failed += get("/").statusCode() == 502 ? 1 : 0;
    }
    // Ejected after its second failure: from here on the live target serves everything.
    for (int i = 0; i < 4; i++) {
      assertThat(get("/").statusCode()).isEqualTo(200);
    }

    assertThat(failed).isEqualTo(2);
    assertThat(cluster.ejections()).isEqualTo(1);
    assertThat(cluster.ejectedTargets()).isEqualTo(1);
    assertThat(live.get()).isEqualTo(6);

    clock.advance(Duration.ofSeconds(31));
    assertThat(cluster.ejectedTargets()).isZero();
    int failedAgain = 0;
    for (int i = 0; i < 2; i++) {
      failedAgain += get("/").statusCode() == 502 ? 1 : 0;
    }
    assertThat(failedAgain).isEqualTo(1);
  }

  @Test
  void retriesAGetOnAnotherTargetAfterAConnectFailure() throws Exception {
    AtomicInteger live = new AtomicInteger();
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(TestUpstreams.closedPort(), counting("live", live))
                .withMaxRetries(1),
            clock);

    for (int i = 0; i < 4; i++) {
      assertThat(get("/").statusCode()).isEqualTo(200);
    }

    assertThat(live.get()).isEqualTo(4);
    assertThat(cluster.retries()).isEqualTo(2);
  }

  @Test
  void retriesAGetThatGot503OnTheOtherTargetButNeverAPost() throws Exception {
    AtomicInteger failingCalls = new AtomicInteger();
    AtomicInteger live = new AtomicInteger();
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(
                    flaky("failing", failingCalls, new AtomicBoolean(true)), counting("live", live))
                .withMaxRetries(2),
            clock);

    HttpResponse<String> got = get("/payments");

    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo("live");
    assertThat(failingCalls.get()).isEqualTo(1);
    assertThat(live.get()).isEqualTo(1);
    assertThat(cluster.retries()).isEqualTo(1);

    get("/payments");
    HttpResponse<String> posted = post("/payments");

    assertThat(posted.statusCode()).isEqualTo(503);
    assertThat(failingCalls.get()).isEqualTo(2);
    assertThat(live.get()).isEqualTo(2);
    assertThat(cluster.retries()).isEqualTo(1);
  }

  @Test
  void doesNotRetryAPostAfterAConnectFailure() throws Exception {
    AtomicInteger live = new AtomicInteger();
    fixture.serve(
        TestUpstreams.policy(TestUpstreams.closedPort(), counting("live", live)).withMaxRetries(3),
        clock);

    HttpResponse<String> response = post("/payments");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("upstream_unavailable");
    assertThat(live.get()).isZero();
  }

  @Test
  void retriesAPutOnlyWhenItsBodyWasBuffered() throws Exception {
    AtomicInteger failingCalls = new AtomicInteger();
    AtomicReference<String> received = new AtomicReference<>("");
    URI live =
        fixture.upstream(
            "live",
            (req, res) -> {
              received.set(req.content().as(String.class));
              res.send("live");
            });
    fixture.serve(
        TestUpstreams.policy(flaky("failing", failingCalls, new AtomicBoolean(true)), live)
            .withMaxRetries(1),
        clock);
    HttpRequest.Builder put =
        HttpRequest.newBuilder(fixture.front.url().resolve("/items/1"))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}"));

    assertThat(send(put).statusCode()).isEqualTo(503);
    get("/");
    fixture.buffering.set(true);
    HttpResponse<String> buffered = send(put);

    assertThat(buffered.statusCode()).isEqualTo(200);
    assertThat(received.get()).isEqualTo("{\"name\":\"x\"}");
    assertThat(failingCalls.get()).isEqualTo(2);
  }

  @Test
  void answers504WhenTheUpstreamIsSlowerThanTheRequestTimeout() throws Exception {
    URI slow =
        fixture.upstream(
            "slow",
            (req, res) -> {
              Thread.sleep(2_000);
              res.send("late");
            });
    UpstreamPolicy policy =
        new UpstreamPolicy(
            java.util.List.of(slow),
            Duration.ofSeconds(2),
            Duration.ofMillis(300),
            0,
            5,
            Duration.ofSeconds(10),
            3,
            Duration.ofSeconds(10));
    fixture.serve(policy, Clock.systemUTC());

    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).contains("upstream_timeout");
  }

  @Test
  void openBreakerRefusesWithoutCallingTheUpstreamThenAHalfOpenSuccessClosesIt() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean failing = new AtomicBoolean(true);
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(flaky("flaky", calls, failing))
                .withEjection(100, Duration.ofSeconds(1))
                .withBreaker(3, Duration.ofSeconds(20)),
            clock);

    for (int i = 0; i < 3; i++) {
      assertThat(get("/").statusCode()).isEqualTo(503);
    }
    assertThat(cluster.state()).isEqualTo(CircuitBreaker.State.OPEN);

    HttpResponse<String> refused = get("/");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("upstream_unavailable");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
    assertThat(calls.get()).isEqualTo(3);
    assertThat(cluster.breakerRefusals()).isEqualTo(1);

    failing.set(false);
    clock.advance(Duration.ofSeconds(21));

    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(cluster.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(calls.get()).isEqualTo(5);
  }

  @Test
  void aFailedHalfOpenTrialReopensTheBreaker() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(flaky("flaky", calls, new AtomicBoolean(true)))
                .withEjection(100, Duration.ofSeconds(1))
                .withBreaker(1, Duration.ofSeconds(20)),
            clock);
    get("/");
    clock.advance(Duration.ofSeconds(21));

    assertThat(get("/").statusCode()).isEqualTo(503);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(cluster.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(get("/").headers().firstValue("Retry-After")).hasValue("20");
    assertThat(calls.get()).isEqualTo(2);
    assertThat(cluster.breakerOpenings()).isEqualTo(2);
  }

  @Test
  void refusesWithoutCallingAnyoneWhileEveryTargetIsEjected() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    UpstreamCluster cluster =
        fixture.serve(
            TestUpstreams.policy(flaky("flaky", calls, new AtomicBoolean(true)))
                .withEjection(1, Duration.ofSeconds(10)),
            clock);
    get("/");

    HttpResponse<String> refused = get("/");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("upstream_unavailable");
    assertThat(calls.get()).isEqualTo(1);
    // Never out for good: after ejectFor the only target gets traffic again.
    clock.advance(Duration.ofSeconds(11));
    get("/");
    assertThat(calls.get()).isEqualTo(2);
    assertThat(cluster.ejections()).isEqualTo(2);
  }
}
