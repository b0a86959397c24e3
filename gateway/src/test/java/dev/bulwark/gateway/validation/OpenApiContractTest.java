package dev.bulwark.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenApiContractTest {
  static final Path ECHO_SPEC = Path.of("src/test/resources/openapi/echo.yaml");

  private final OpenApiContract contract = OpenApiContract.load(ECHO_SPEC);

  private static TestRequests validPayment(String body) {
    return TestRequests.post("/echo/payments", "application/json", body)
        .header("x-idempotency-key", "key-0001-abcd");
  }

  @Test
  void acceptsRequestsTheContractDefines() {
    assertThat(contract.check(validPayment("{\"amount\":12.5,\"currency\":\"EUR\"}").build()))
        .isEmpty();
    assertThat(contract.check(TestRequests.get("/echo/payments").query("limit=10").build()))
        .isEmpty();
    assertThat(contract.check(TestRequests.get("/echo/payments/p-1").build())).isEmpty();
  }

  @Test
  void refusesABodyOfTheWrongTypeNamingTheLocation() {
    Refusal refusal =
        contract
            .check(validPayment("{\"amount\":\"lots\",\"currency\":\"EUR\"}").build())
            .orElseThrow();

    assertThat(refusal.status()).isEqualTo(400);
    assertThat(refusal.error()).isEqualTo("schema_violation");
    assertThat(refusal.description()).isEqualTo("body: /amount: expected integer, number");
  }

  @Test
  void refusesAMissingRequiredProperty() {
    Refusal refusal = contract.check(validPayment("{\"amount\":1}").build()).orElseThrow();

    assertThat(refusal.description()).contains("body: /").contains("currency");
  }

  @Test
  void refusesAnEnumMissWithoutRepeatingTheValue() {
    Refusal refusal =
        contract
            .check(validPayment("{\"amount\":1,\"currency\":\"<script>\"}").build())
            .orElseThrow();

    assertThat(refusal.description()).startsWith("body: /currency").doesNotContain("<script>");
  }

  @Test
  void refusesABadQueryParameter() {
    Refusal refusal =
        contract
            .check(TestRequests.get("/echo/payments").query("limit=1000").build())
            .orElseThrow();

    assertThat(refusal.status()).isEqualTo(400);
    assertThat(refusal.description()).startsWith("query parameter limit");
  }

  @Test
  void refusesABadHeaderWithoutRepeatingItsValue() {
    Refusal refusal =
        contract
            .check(
                validPayment("{\"amount\":1,\"currency\":\"EUR\"}")
                    .header("x-idempotency-key", "SECRET-VALUE!")
                    .build())
            .orElseThrow();

    assertThat(refusal.description())
        .startsWith("header parameter x-idempotency-key")
        .doesNotContain("SECRET");
  }

  @Test
  void refusesAnUndefinedPathWith404() {
    Refusal refusal = contract.check(TestRequests.get("/echo/admin").build()).orElseThrow();

    assertThat(refusal.status()).isEqualTo(404);
    assertThat(refusal.reason()).isEqualTo("undefined_path");
  }

  @Test
  void refusesAnUndefinedMethodWith405AndTheAllowedOnes() {
    Refusal refusal =
        contract.check(TestRequests.get("/echo/payments").method("DELETE").build()).orElseThrow();

    assertThat(refusal.status()).isEqualTo(405);
    assertThat(refusal.allow()).containsExactlyInAnyOrder("GET", "POST");
  }

  @Test
  void runsAfterTheLimitsInTheScreen() {
    RequestScreen screen = new RequestScreen(RequestLimits.defaults(), Optional.of(contract));

    assertThat(screen.check(TestRequests.get("/echo/admin").build()).orElseThrow().status())
        .isEqualTo(404);
    assertThat(
            screen
                .check(validPayment("[".repeat(100) + "]".repeat(100)).build())
                .orElseThrow()
                .reason())
        .isEqualTo("json_too_deep");
  }

  @Test
  void remembersABodylessOutcomeOnlyUnderWhatItDependsOn() {
    TestRequests good = TestRequests.get("/echo/payments/p-1").header("x-tenant", "acme");

    assertThat(contract.check(good.build())).isEmpty();
    assertThat(contract.check(good.build())).isEmpty();
    assertThat(contract.rememberedOutcomes()).isEqualTo(1);
    // The same request with a declared header that breaks its pattern is judged afresh.
    assertThat(
            contract.check(
                TestRequests.get("/echo/payments/p-1").header("x-tenant", "ACME!").build()))
        .hasValueSatisfying(
            r -> assertThat(r.description()).startsWith("header parameter x-tenant"));
    // So is a query that differs from a remembered good one.
    assertThat(contract.check(TestRequests.get("/echo/payments").query("limit=10").build()))
        .isEmpty();
    assertThat(contract.check(TestRequests.get("/echo/payments").query("limit=101").build()))
        .isPresent();
    // A refusal is remembered as faithfully as an acceptance.
    assertThat(contract.check(TestRequests.get("/echo/payments").query("limit=101").build()))
        .isPresent();
    assertThat(contract.rememberedOutcomes()).isEqualTo(4);
  }

  @Test
  void headersTheValidatorDoesNotReadDoNotSplitTheRememberedOutcomes() {
    for (int i = 0; i < 50; i++) {
      assertThat(
              contract.check(
                  TestRequests.get("/echo/payments/p-1")
                      .header("user-agent", "client-" + i)
                      .header("authorization", "Bearer token-" + i)
                      .build()))
          .isEmpty();
    }

    assertThat(contract.rememberedOutcomes()).isEqualTo(1);
  }

  @Test
  void neverRemembersARequestWithABody() {
    assertThat(contract.check(validPayment("{\"amount\":1,\"currency\":\"EUR\"}").build()))
        .isEmpty();
    assertThat(contract.check(validPayment("{\"amount\":1,\"currency\":\"GBP\"}").build()))
        .isPresent();

    assertThat(contract.rememberedOutcomes()).isZero();
  }

  @Test
  void namesEveryHeaderTheValidatorCanRead() {
    assertThat(OpenApiContract.load(ECHO_SPEC).readHeaders())
        .containsExactly(
            "accept",
            "authorization",
            "content-type",
            "cookie",
            "x-idempotency-key",
            "x-partner-key",
            "x-tenant");
  }

  @Test
  void loadingABadDocumentNamesTheFileAndTheProblem() {
    Path broken = Path.of("src/test/resources/openapi/not-openapi.yaml");

    assertThatThrownBy(() -> OpenApiContract.load(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not-openapi.yaml")
        .hasMessageContaining("responses");
  }

  @Test
  void loadingAMissingOrEmptyDocumentNamesTheFile(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> OpenApiContract.load(dir.resolve("absent.yaml")))
        .hasMessageContaining("absent.yaml")
        .hasMessageContaining("cannot be read");
    Path empty = Files.writeString(dir.resolve("empty.json"), "{}");
    assertThatThrownBy(() -> OpenApiContract.load(empty)).hasMessageContaining("empty.json");
  }
}
