package dev.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalPathTest {
  @ParameterizedTest
  @CsvSource({
    "/payments, /payments, /payments",
    "/payments/abc-123, /payments/abc-123, /payments/abc-123",
    "/pay%6dents, /payments, /payments",
    "/profiles/ada%40example.com, /profiles/ada@example.com, /profiles/ada@example.com",
    "/profiles/a%20b, /profiles/a b, /profiles/a%20b",
    "/profiles/%C3%A9, /profiles/é, /profiles/%C3%A9"
  })
  void decodesOnceAndReEncodesTheSame(String raw, String decoded, String encoded) {
    CanonicalPath path = CanonicalPath.of(raw).orElseThrow();

    assertThat(path.decoded()).isEqualTo(decoded);
    assertThat(path.encoded()).isEqualTo(encoded);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/payments/..;/profiles/me",
        "/payments/../profiles",
        "/payments/./x",
        "/payments/%2e%2e/profiles",
        "//payments",
        "/payments//x",
        "/payments/",
        "/payments;jsessionid=1",
        "/payments/..%2fprofiles",
        "/payments/%2Fetc",
        "/payments/%5cetc",
        "/payments\\..\\profiles",
        "/payments/%00",
        "/payments/%zz",
        "/payments/%C3",
        "payments"
      })
  void refusesAmbiguousOrMalformedPaths(String raw) {
    assertThat(CanonicalPath.of(raw)).isEmpty();
  }
}
