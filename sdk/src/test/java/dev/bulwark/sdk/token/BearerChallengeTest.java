package dev.bulwark.sdk.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BearerChallengeTest {
  private static final String DESCRIPTION_START = "error_description=\"";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bad\" , error=\"insufficient_scope",
        "ends with a backslash\\",
        "back\\\"slash-quote",
        "line\r\nSet-Cookie: session=stolen",
        "bare\nnewline",
        "bare\rreturn",
        "nul\u0000and tab\t"
      })
  void descriptionCannotBreakOutOfItsQuotedString(String description) {
    String header = BearerChallenge.invalidToken("orders", description);

    String inside = quotedDescription(header);
    assertThat(inside).doesNotContain("\"", "\\", "\r", "\n");
    assertThat(header).doesNotContain("\r", "\n");
    assertThat(header).endsWith("\"");
    assertThat(header.chars().filter(c -> c == '"').count()).isEqualTo(6);
    assertThat(header).containsOnlyOnce("error=\"");
  }

  @Test
  void descriptionOfPrintableAsciiIsKeptAsIs() {
    String header = BearerChallenge.invalidToken("orders", "the token has expired");

    assertThat(header)
        .isEqualTo(
            "Bearer realm=\"orders\", error=\"invalid_token\","
                + " error_description=\"the token has expired\"");
  }

  @Test
  void realmCannotBreakOutOfItsQuotedString() {
    String header = BearerChallenge.missingToken("orders\", error=\"invalid_token\r\nX: y");

    assertThat(header).doesNotContain("\r", "\n").doesNotContain("error=\"");
    assertThat(header.chars().filter(c -> c == '"').count()).isEqualTo(2);
  }

  @Test
  void scopeCannotBreakOutOfItsQuotedString() {
    String header = BearerChallenge.insufficientScope("orders", "admin\", realm=\"other\r\n");

    assertThat(header).doesNotContain("\r", "\n");
    assertThat(header.chars().filter(c -> c == '"').count()).isEqualTo(6);
    assertThat(header).containsOnlyOnce("realm=\"");
  }

  private static String quotedDescription(String header) {
    int start = header.indexOf(DESCRIPTION_START);
    assertThat(start).isNotNegative();
    return header.substring(start + DESCRIPTION_START.length(), header.length() - 1);
  }
}
