package dev.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeQueryTest {
  @Test
  void keepsAValidQueryAsItIs() {
    assertThat(SafeQuery.of("x=1&y=a%20b")).hasValue("?x=1&y=a%20b");
  }

  @Test
  void encodesCharactersAQueryMayNotHold() {
    assertThat(SafeQuery.of("api_key=SECRET|x")).hasValue("?api_key=SECRET%7Cx");
    assertThat(
            java.net
                .URI
                .create("https://h" + "/p" + SafeQuery.of("a=<b>\"c\"").orElseThrow())
                .getRawQuery())
        .isEqualTo("a=%3Cb%3E%22c%22");
  }

  @Test
  void refusesABrokenEscape() {
    assertThat(SafeQuery.of("x=%zz")).isEmpty();
    assertThat(SafeQuery.of("x=%4")).isEmpty();
  }

  @Test
  void emptyQueryStaysEmpty() {
    assertThat(SafeQuery.of("")).hasValue("");
  }
}
