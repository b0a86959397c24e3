package dev.bulwark.gateway.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.testing.MutableClock;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token exchange (RFC 8693) between a real HTTPS front listener, a fake token endpoint that checks
 * the grant and the gateway's client authentication, and an upstream that reports the token it got.
 */
class TokenExchangerTest {
  private static final String AUDIENCE = "urn:bulwark:payments";
  private static final String CLIENT_SECRET = "gateway-secret-1";

  private final TestUpstreams fixture = new TestUpstreams();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final AtomicInteger exchanges = new AtomicInteger();
  private final AtomicReference<Map<String, String>> lastGrant = new AtomicReference<>(Map.of());
  private final AtomicInteger upstreamCalls = new AtomicInteger();
  private URI tokenEndpoint;
  private URI upstream;

  @BeforeEach
  void start() {
    tokenEndpoint = fixture.upstream("identity", this::tokenEndpoint).resolve("/token");
    upstream =
        fixture.upstream(
            "payments",
            (req, res) -> {
              upstreamCalls.incrementAndGet();
              res.send(req.headers().first(HeaderNames.AUTHORIZATION).orElse("none"));
            });
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private void tokenEndpoint(
      io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res) {
    Map<String, String> form = new HashMap<>();
    for (String pair : req.content().as(String.class).split("&")) {
      String[] parts = pair.split("=", 2);
      form.put(URLDecoder.decode(parts[0], UTF_8), URLDecoder.decode(parts[1], UTF_8));
    }
    lastGrant.set(form);
    String expectedAuth =
        "Basic " + Base64.getEncoder().encodeToString(("gateway:" + CLIENT_SECRET).getBytes(UTF_8));
    if (!req.headers().first(HeaderNames.AUTHORIZATION).orElse("").equals(expectedAuth)) {
      res.status(Status.UNAUTHORIZED_401).send("{\"error\":\"invalid_client\"}");
      return;
    }
    if (!TokenExchanger.GRANT_TYPE.equals(form.get("grant_type"))
        || !TokenExchanger.ACCESS_TOKEN_TYPE.equals(form.get("subject_token_type"))
        || !AUDIENCE.equals(form.get("audience"))
        || form.get("subject_token") == null) {
      res.status(Status.BAD_REQUEST_400).send("{\"error\":\"invalid_request\"}");
      return;
    }
    int n = exchanges.incrementAndGet();
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.send(
        Json.bytes(
            Json.object()
                .put("access_token", "exchanged-" + n + "-for-" + form.get("subject_token"))
                .put("token_type", "Bearer")
                .put("issued_token_type", TokenExchanger.ACCESS_TOKEN_TYPE)
                .put("expires_in", 300)));
  }

  private void serveWithExchange(String clientSecret) {
    TokenExchanger exchanger =
        new TokenExchanger(
            new TokenExchange(tokenEndpoint, "gateway", clientSecret, AUDIENCE),
            fixture.clientTls,
            Duration.ofSeconds(2),
            clock);
    fixture.serve(
        new UpstreamCluster(
            "payments",
            TestUpstreams.policy(upstream),
            fixture.clientTls,
            Optional.of(exchanger),
            clock));
  }

  private HttpResponse<String> callWith(String token) throws Exception {
    return fixture.http.send(
        HttpRequest.newBuilder(fixture.front.url().resolve("/payments"))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sendsTheExchangedTokenUpstreamInsteadOfTheCallers() throws Exception {
    serveWithExchange(CLIENT_SECRET);

    HttpResponse<String> response = callWith("caller-token");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("Bearer exchanged-1-for-caller-token");
    assertThat(lastGrant.get())
        .containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
        .containsEntry("subject_token", "caller-token")
        .containsEntry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")
        .containsEntry("audience", AUDIENCE);
  }

  @Test
  void servesARepeatedSubjectTokenFromTheCacheUntilShortlyBeforeItExpires() throws Exception {
    serveWithExchange(CLIENT_SECRET);

    callWith("caller-token");
    HttpResponse<String> again = callWith("caller-token");

    assertThat(again.body()).isEqualTo("Bearer exchanged-1-for-caller-token");
    assertThat(exchanges.get()).isEqualTo(1);

    assertThat(callWith("another-caller").body())
        .isEqualTo("Bearer exchanged-2-for-another-caller");
    assertThat(exchanges.get()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(280));
    assertThat(callWith("caller-token").body()).isEqualTo("Bearer exchanged-3-for-caller-token");
  }

  @Test
  void refusesWith503WithoutCallingTheUpstreamWhenTheTokenEndpointIsDown() throws Exception {
    tokenEndpoint = TestUpstreams.closedPort().resolve("/token");
    serveWithExchange(CLIENT_SECRET);

    HttpResponse<String> response = callWith("caller-token");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).doesNotContain("caller-token");
    assertThat(upstreamCalls.get()).isZero();
  }

  @Test
  void refusesWith503WithoutCallingTheUpstreamWhenTheExchangeIsRefused() throws Exception {
    serveWithExchange("wrong-secret");

    HttpResponse<String> response = callWith("caller-token");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(upstreamCalls.get()).isZero();
  }

  @Test
  void neverPrintsTheClientSecret() {
    TokenExchange settings = new TokenExchange(tokenEndpoint, "gateway", CLIENT_SECRET, AUDIENCE);

    assertThat(settings.toString()).doesNotContain(CLIENT_SECRET).contains("***");
  }
}
