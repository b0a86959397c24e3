package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Starting, stopping and restarting {@code bulwark up}, and refusing bad configuration. */
class UpLifecycleIT {
  @TempDir Path work;

  @Test
  void restartKeepsKeysClientsAndData() throws Exception {
    Path data = work.resolve("data");
    String token;
    String paymentId;
    // Fixed ports: the issuer is the identity provider's URL, so it must not move across the
    // restart.
    int portBase = TestBulwarkProcess.freePortBase();
    try (TestBulwarkProcess first = TestBulwarkProcess.upOnPorts(data, Map.of(), portBase)) {
      token = first.token("demo-shop", Optional.empty());
      paymentId =
          Json.MAPPER
              .readTree(
                  first
                      .postJson(
                          first.gateway("/payments"),
                          token,
                          "{\"amount\":\"9.99\",\"currency\":\"USD\"}")
                      .body())
              .path("id")
              .asString();
      assertThat(first.stop()).as("clean exit on SIGTERM").isIn(0, 143);
      assertThat(Files.readString(first.stdout)).contains("Bulwark stopped.");
      assertThat(data.resolve("up.json")).doesNotExist();
    }

    try (TestBulwarkProcess second = TestBulwarkProcess.upOnPorts(data, Map.of(), portBase)) {
      assertThat(
              second.get(second.gateway("/payments/" + paymentId), Optional.of(token)).statusCode())
          .as("a token issued before the restart still verifies, and the payment is still there")
          .isEqualTo(200);
      assertThat(Files.readString(second.stdout)).doesNotContain("shown once");
    }
  }

  @Test
  void expiredTokenIsRefused() throws Exception {
    Path config = work.resolve("short-tokens.yaml");
    Files.writeString(config, "identity:\n  access_token_ttl: 2s\ngateway:\n  clock_skew: 0s\n");
    try (TestBulwarkProcess bulwark =
        TestBulwarkProcess.up(work.resolve("data"), Map.of(), "--config", config.toString())) {
      JsonNode response =
          Json.MAPPER.readTree(bulwark.tokenResponse("demo-shop", Optional.empty()).body());
      assertThat(response.path("expires_in").asInt()).isEqualTo(2);
      String token = response.path("access_token").asString();

      Thread.sleep(3_000);

      var refused = bulwark.get(bulwark.gateway("/payments"), Optional.of(token));
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).contains("expired"));
    }
  }

  @Test
  void badConfigValueStopsStartUpNamingTheKey() throws Exception {
    Path config = work.resolve("bad.yaml");
    Files.writeString(config, "gateway:\n  clock_skew: whenever\n");

    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(
            work,
            Map.of(),
            "up",
            "--data",
            work.resolve("d").toString(),
            "--config",
            config.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("gateway.clock_skew")
        .contains("'whenever'")
        .contains("BULWARK_GATEWAY_CLOCK_SKEW");
    assertThat(work.resolve("d"))
        .as("nothing is created for a config that does not start")
        .doesNotExist();
  }

  @Test
  void unknownConfigKeyStopsStartUp() throws Exception {
    Path config = work.resolve("typo.yaml");
    Files.writeString(config, "gateway:\n  clok_skew: 10s\n");

    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(
            work,
            Map.of(),
            "up",
            "--data",
            work.resolve("d").toString(),
            "--config",
            config.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("gateway.clok_skew").contains("not a Bulwark setting");
  }

  @Test
  void badEnvironmentOverrideStopsStartUpNamingTheVariable() throws Exception {
    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(
            work,
            Map.of("BULWARK_IDENTITY_ACCESS_TOKEN_TTL", "5 minutes"),
            "up",
            "--data",
            work.resolve("d").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("identity.access_token_ttl")
        .contains("from BULWARK_IDENTITY_ACCESS_TOKEN_TTL");
  }

  @Test
  void missingConfigFileIsReported() throws Exception {
    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(
            work,
            Map.of(),
            "up",
            "--data",
            work.resolve("d").toString(),
            "--config",
            work.resolve("nope.yaml").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("nope.yaml").contains("does not exist");
  }

  @Test
  void badMasterKeyIsReportedWithoutEchoingIt() throws Exception {
    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(
            work,
            Map.of("BULWARK_MASTER_KEY", "c2hvcnQ="),
            "up",
            "--data",
            work.resolve("d").toString(),
            "--port-base",
            "0");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("BULWARK_MASTER_KEY")
        .contains("expected: 32")
        .doesNotContain("c2hvcnQ=");
  }

  @Test
  void unknownCommandAndBadFlagAreOneLinePlusNextStep() throws Exception {
    TestBulwarkProcess.Result badFlag =
        TestBulwarkProcess.run(work, Map.of(), "up", "--port-base", "many");
    TestBulwarkProcess.Result noCommand = TestBulwarkProcess.run(work, Map.of());

    assertThat(badFlag.exitCode()).isEqualTo(2);
    assertThat(badFlag.stderr().strip().lines())
        .hasSize(2)
        .first()
        .asString()
        .startsWith("bulwark: ");
    assertThat(noCommand.exitCode()).isEqualTo(2);
    assertThat(noCommand.stderr()).contains("bulwark --help");
  }

  @Test
  void tokenCommandWithoutRunningUpSaysWhatToDo() throws Exception {
    TestBulwarkProcess.Result result =
        TestBulwarkProcess.run(work, Map.of(), "token", "--data", work.resolve("none").toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("no running 'bulwark up'")
        .contains("bin/bulwark up --data");
  }

  @Test
  void publicIssuerUrlIsPublishedWhileKeysAreFetchedLocally() throws Exception {
    try (TestBulwarkProcess bulwark =
        TestBulwarkProcess.up(
            work.resolve("data"), Map.of("BULWARK_IDENTITY_ISSUER", "https://auth.example.test"))) {
      assertThat(bulwark.manifest.path("issuer").asString()).isEqualTo("https://auth.example.test");
      String token = bulwark.token("demo-shop", Optional.empty());

      assertThat(bulwark.get(bulwark.gateway("/payments"), Optional.of(token)).statusCode())
          .isEqualTo(200);
      TestBulwarkProcess.Result cli =
          TestBulwarkProcess.run(work, Map.of(), "token", "--data", bulwark.data.toString());
      assertThat(cli.exitCode()).as(cli.stderr()).isZero();
    }
  }
}
