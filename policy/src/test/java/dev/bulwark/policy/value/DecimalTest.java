package dev.bulwark.policy.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalTest {

  @ParameterizedTest
  @CsvSource({
    "1.0, 10000",
    "-1.0, -10000",
    "123.456, 1234560",
    "0.1234, 1234",
    "-0.0123, -123",
    "55.1, 551000",
    "00.000, 0",
    "0123.0, 1230000",
    "922337203685477.5807, 9223372036854775807",
    "-922337203685477.5808, -9223372036854775808"
  })
  void parsesWellFormedDecimals(String text, long scaled) {
    assertThat(Decimal.parse(text).scaled()).isEqualTo(scaled);
  }

  @Test
  void readsTheSignOfANegativeDecimalBelowOne() {
    assertThat(Decimal.parse("-0.5").scaled()).isEqualTo(-5000);
    assertThat(Decimal.parse("-0.0001").scaled()).isEqualTo(-1);
  }

  @Test
  void equatesDecimalsOfTheSameValue() {
    assertThat(Decimal.parse("1.0")).isEqualTo(Decimal.parse("1.0000"));
    assertThat(Decimal.parse("123.0")).isEqualTo(Decimal.parse("0123.0"));
    assertThat(Decimal.parse("-0.0")).isEqualTo(Decimal.parse("0.0"));
    assertThat(Decimal.parse("1.23")).isNotEqualTo(Decimal.parse("1.24"));
  }

  @Test
  void ordersByValue() {
    assertThat(Decimal.parse("1.23")).isLessThan(Decimal.parse("1.24"));
    assertThat(Decimal.parse("-1.24")).isLessThan(Decimal.parse("-1.23"));
    assertThat(Decimal.parse("-0.5")).isLessThan(Decimal.parse("0.0"));
    assertThat(Decimal.parse("123.45")).isGreaterThan(Decimal.parse("1.23"));
    assertThat(Decimal.parse("1.5").compareTo(Decimal.parse("1.5000"))).isZero();
  }

  @Test
  void rejectsDecimalWithFiveFractionalDigits() {
    assertThatThrownBy(() -> Decimal.parse("0.12345"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"0.12345\"")
        .hasMessageContaining("at most 4 digits");
    assertThatThrownBy(() -> Decimal.parse("0.00000")).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1234",
        "1.0.",
        "1.",
        ".1",
        "1.a",
        "-.",
        "-.5",
        "-",
        "+1.0",
        "+0.0",
        " 1.0",
        "1.0 ",
        "1,0",
        "1.0\n",
        "--1.0",
        "1.-0",
        "1e2.0",
        "\u0661.0",
        "１.0",
        "0x1.0"
      })
  void rejectsMalformedDecimals(String text) {
    assertThatThrownBy(() -> Decimal.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "922337203685477.5808",
        "-922337203685477.5809",
        "1000000000000000.0",
        "-922337203685478.0",
        "99999999999999999999.0"
      })
  void rejectsDecimalsThatOverflow(String text) {
    assertThatThrownBy(() -> Decimal.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overflows");
  }

  @ParameterizedTest
  @CsvSource({
    "1.0, 1.0",
    "1.2300, 1.23",
    "1.05, 1.05",
    "-0.5, -0.5",
    "-0.0, 0.0",
    "-123.4560, -123.456",
    "0.0001, 0.0001",
    "922337203685477.5807, 922337203685477.5807",
    "-922337203685477.5808, -922337203685477.5808"
  })
  void writesAnArgumentThatParsesBackToTheSameValue(String text, String argument) {
    Decimal d = Decimal.parse(text);
    assertThat(d.argument()).isEqualTo(argument);
    assertThat(Decimal.parse(d.argument())).isEqualTo(d);
  }

  @Test
  void namesItselfAsCedarDoes() {
    Decimal d = Decimal.parse("1.25");
    assertThat(d.typeName()).isEqualTo("decimal");
    assertThat(d.constructorName()).isEqualTo("decimal");
    assertThat(d).hasToString("decimal(\"1.25\")");
  }
}
