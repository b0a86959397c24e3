package dev.bulwark.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestScreenTest {
  private final RequestScreen screen =
      new RequestScreen(
          RequestLimits.defaults().withContentTypes("application/json"), Optional.empty());

  private Optional<Refusal> check(TestRequests request) {
    return screen.check(request.build());
  }

  private static String reason(Optional<Refusal> refusal) {
    return refusal.orElseThrow().reason();
  }

  @Test
  void passesAnOrdinaryJsonRequest() {
    assertThat(
            check(
                TestRequests.post(
                    "/payments", "application/json; charset=utf-8", "{\"a\":[1,2,{\"b\":null}]}")))
        .isEmpty();
    assertThat(check(TestRequests.get("/payments").query("limit=10"))).isEmpty();
  }

  @Test
  void refusesBothContentLengthAndTransferEncoding() {
    Optional<Refusal> refusal =
        check(
            TestRequests.post("/p", "application/json", "{}")
                .header("transfer-encoding", "chunked"));

    assertThat(refusal.orElseThrow().status()).isEqualTo(400);
    assertThat(reason(refusal)).isEqualTo("framing_cl_and_te");
  }

  @Test
  void refusesMoreThanOneContentLengthEvenFoldedIntoOneField() {
    assertThat(
            reason(
                check(
                    TestRequests.post("/p", "application/json", "{}")
                        .header("content-length", "2", "2"))))
        .isEqualTo("framing_content_length");
    assertThat(
            reason(
                check(
                    TestRequests.post("/p", "application/json", "{}")
                        .header("content-length", "2, 2"))))
        .isEqualTo("framing_content_length");
    assertThat(
            reason(
                check(
                    TestRequests.post("/p", "application/json", "{}")
                        .header("content-length", "+2"))))
        .isEqualTo("framing_content_length");
  }

  @Test
  void refusesTransferEncodingOtherThanChunked() {
    assertThat(
            reason(check(TestRequests.get("/p").header("transfer-encoding", "chunked, identity"))))
        .isEqualTo("framing_transfer_encoding");
    assertThat(reason(check(TestRequests.get("/p").header("transfer-encoding", "gzip", "chunked"))))
        .isEqualTo("framing_transfer_encoding");
    assertThat(reason(check(TestRequests.get("/p").header("transfer-encoding", " chunked"))))
        .isEqualTo("framing_transfer_encoding");
    assertThat(
            check(
                TestRequests.get("/p")
                    .header("content-type", "application/json")
                    .header("transfer-encoding", "Chunked")))
        .isEmpty();
  }

  @Test
  void refusesHeaderNamesThatAreNotTokens() {
    assertThat(reason(check(TestRequests.get("/p").header("x bad", "1"))))
        .isEqualTo("framing_header_name");
    assertThat(reason(check(TestRequests.get("/p").header("x:y", "1"))))
        .isEqualTo("framing_header_name");
    assertThat(reason(check(TestRequests.get("/p").header("", "1"))))
        .isEqualTo("framing_header_name");
  }

  @Test
  void refusesControlCharactersInHeaderValuesWithoutRepeatingTheValue() {
    for (String value : new String[] {"a\rb", "a\nb", "a\u0000b", "a\u001bb", "a\u007fb"}) {
      Optional<Refusal> refusal =
          check(TestRequests.get("/p").header("x-secret", "s3cr3t" + value));
      assertThat(reason(refusal)).isEqualTo("framing_header_value");
      assertThat(refusal.orElseThrow().description()).doesNotContain("s3cr3t").contains("x-secret");
    }
    assertThat(check(TestRequests.get("/p").header("x-tab", "a\tb"))).isEmpty();
  }

  @Test
  void refusesAnOverlongUriWith414() {
    Optional<Refusal> refusal = check(TestRequests.get("/p").query("q=" + "a".repeat(5000)));

    assertThat(refusal.orElseThrow().status()).isEqualTo(414);
    assertThat(refusal.orElseThrow().error()).isEqualTo("uri_too_long");
  }

  @Test
  void refusesTooManyHeadersAndOversizedHeaderSectionsWith431() {
    TestRequests many = TestRequests.get("/p");
    for (int i = 0; i < 100; i++) {
      many.header("x-h" + i, "v");
    }
    Optional<Refusal> tooMany = check(many);
    assertThat(tooMany.orElseThrow().status()).isEqualTo(431);
    assertThat(reason(tooMany)).isEqualTo("too_many_headers");

    Optional<Refusal> tooBig = check(TestRequests.get("/p").header("x-big", "v".repeat(17_000)));
    assertThat(tooBig.orElseThrow().status()).isEqualTo(431);
    assertThat(reason(tooBig)).isEqualTo("header_section_too_large");
  }

  @Test
  void refusesABodyWithoutAnAllowedContentTypeWith415() {
    Optional<Refusal> wrong = check(TestRequests.post("/p", "text/xml", "<a/>"));
    assertThat(wrong.orElseThrow().status()).isEqualTo(415);
    assertThat(reason(wrong)).isEqualTo("content_type_not_allowed");

    Optional<Refusal> missing =
        check(TestRequests.get("/p").method("POST").body(new byte[] {'{', '}'}));
    assertThat(reason(missing)).isEqualTo("content_type_missing");

    Optional<Refusal> twice =
        check(
            TestRequests.post("/p", "application/json", "{}")
                .header("content-type", "application/json", "text/plain"));
    assertThat(reason(twice)).isEqualTo("content_type_missing");
  }

  @Test
  void acceptsAnyContentTypeWhenTheAllowListIsEmpty() {
    RequestScreen open = new RequestScreen(RequestLimits.defaults(), Optional.empty());

    assertThat(open.check(TestRequests.post("/p", "text/xml", "<a/>").build())).isEmpty();
  }

  @Test
  void refusesAnOversizedBodyWith413() {
    Optional<Refusal> refusal =
        check(TestRequests.post("/p", "application/json", "\"" + "a".repeat(1024 * 1024) + "\""));

    assertThat(refusal.orElseThrow().status()).isEqualTo(413);
    assertThat(reason(refusal)).isEqualTo("body_too_large");
  }

  @Test
  void refusesOversizedJsonEvenUnderTheBodyLimit() {
    RequestScreen small =
        new RequestScreen(
            new RequestLimits(1000, 100, 16_384, 4096, 32, 10, java.util.Set.of()),
            Optional.empty());

    Optional<Refusal> refusal =
        small.check(TestRequests.post("/p", "application/json", "[1,2,3,4,5,6]").build());

    assertThat(refusal.orElseThrow().status()).isEqualTo(413);
    assertThat(reason(refusal)).isEqualTo("json_too_large");
  }

  @Test
  void refusesJsonNestedThousandsDeep() {
    Optional<Refusal> refusal =
        check(TestRequests.post("/p", "application/json", "[".repeat(1000) + "]".repeat(1000)));

    assertThat(refusal.orElseThrow().status()).isEqualTo(400);
    assertThat(reason(refusal)).isEqualTo("json_too_deep");
    assertThat(check(TestRequests.post("/p", "application/json", "[".repeat(32) + "]".repeat(32))))
        .isEmpty();
  }

  @Test
  void refusesDuplicateKeysInAJsonObject() {
    assertThat(
            reason(
                check(
                    TestRequests.post("/p", "application/json", "{\"amount\":1,\"amount\":1000}"))))
        .isEqualTo("json_duplicate_key");
  }

  @Test
  void refusesMalformedJsonAndTrailingValues() {
    assertThat(reason(check(TestRequests.post("/p", "application/json", "{\"a\":"))))
        .isEqualTo("json_malformed");
    RequestScreen open = new RequestScreen(RequestLimits.defaults(), Optional.empty());
    assertThat(
            reason(
                open.check(TestRequests.post("/p", "application/problem+json", "{} {}").build())))
        .isEqualTo("json_malformed");
  }

  @Test
  void checksFramingBeforeSize() {
    TestRequests request =
        TestRequests.get("/p")
            .query("q=" + "a".repeat(5000))
            .header("transfer-encoding", "chunked, identity");

    assertThat(reason(check(request))).isEqualTo("framing_transfer_encoding");
  }

  @Test
  void limitsNameTheBadField() {
    assertThatThrownBy(() -> new RequestLimits(0, 1, 1, 1, 1, 1, java.util.Set.of()))
        .hasMessageContaining("maxBodyBytes: 0");
    assertThatThrownBy(
            () -> RequestLimits.defaults().withContentTypes("application/json; charset=utf-8"))
        .hasMessageContaining("contentTypes");
  }

  @Test
  void refusesADoubleEncodedPath() {
    InboundRequest request =
        new InboundRequest(
            "GET",
            "/echo/%252e%252e/admin",
            Optional.empty(),
            "/echo/%2e%2e/admin",
            java.util.Map.of(),
            Optional.empty());

    assertThat(reason(screen.check(request))).isEqualTo("path_double_encoded");
  }

  @Test
  void refusesADeclaredOversizedBodyBeforeItIsRead() {
    TestRequests request =
        TestRequests.get("/p")
            .method("POST")
            .header("content-type", "application/json")
            .header("content-length", "2000000");

    Optional<Refusal> refusal = screen.checkHead(request.build());

    assertThat(refusal.orElseThrow().status()).isEqualTo(413);
  }
}
