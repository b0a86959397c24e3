package dev.bulwark.policy.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTest {

  @ParameterizedTest
  @CsvSource({
    "1d2h3m4s5ms, 93784005",
    "-1h, -3600000",
    "1ms, 1",
    "1m, 60000",
    "1s, 1000",
    "1d, 86400000",
    "2d12h, 216000000",
    "0ms, 0",
    "-0d, 0",
    "1h30m, 5400000",
    "1m1ms, 60001",
    "007s, 7000",
    "-1d2h3m4s5ms, -93784005",
    "9223372036854775807ms, 9223372036854775807",
    "-9223372036854775808ms, -9223372036854775808",
    "106751991167d, 9223372036828800000"
  })
  void parsesWellFormedDurations(String text, long millis) {
    assertThat(Duration.parse(text).millis()).isEqualTo(millis);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "-", "1", "d", "ms", "1x", "1h1d", "1s1m", "1ms1s", "1d1d", "1m1m", "1h-1m", "+1h",
        "1 h", " 1h", "1h ", "1H", "1.5h", "--1h", "1d2", "1msms", "\u0661h", "1h\n"
      })
  void rejectsMalformedDurations(String text) {
    assertThatThrownBy(() -> Duration.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9223372036854775808ms",
        "-9223372036854775809ms",
        "106751991168d",
        "1s9223372036854775000ms",
        "9223372036854775s808ms",
        "-9223372036854775808s",
        "18446744073709551616ms",
        "100000000000000000000000000000000d"
      })
  void rejectsDurationsThatOverflow(String text) {
    assertThatThrownBy(() -> Duration.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overflows");
  }

  @Test
  void acceptsManyLeadingZeros() {
    assertThat(Duration.parse("0".repeat(40) + "1ms").millis()).isEqualTo(1);
  }

  @Test
  void convertsToCoarserUnitsTruncatingTowardZero() {
    Duration d = Duration.parse("1d23h59m59s999ms");
    assertThat(d.toMilliseconds()).isEqualTo(172_799_999L);
    assertThat(d.toSeconds()).isEqualTo(172_799L);
    assertThat(d.toMinutes()).isEqualTo(2_879L);
    assertThat(d.toHours()).isEqualTo(47L);
    assertThat(d.toDays()).isEqualTo(1L);
  }

  @Test
  void convertsNegativeDurationsTruncatingTowardZero() {
    Duration d = Duration.parse("-1d23h59m59s999ms");
    assertThat(d.toMilliseconds()).isEqualTo(-172_799_999L);
    assertThat(d.toSeconds()).isEqualTo(-172_799L);
    assertThat(d.toMinutes()).isEqualTo(-2_879L);
    assertThat(d.toHours()).isEqualTo(-47L);
    assertThat(d.toDays()).isEqualTo(-1L);
    assertThat(Duration.parse("-999ms").toSeconds()).isZero();
  }

  @Test
  void convertsTheExtremesWithoutOverflow() {
    Duration min = new Duration(Long.MIN_VALUE);
    assertThat(min.toSeconds()).isEqualTo(Long.MIN_VALUE / 1000);
    assertThat(min.toDays()).isEqualTo(-106_751_991_167L);
    assertThat(new Duration(Long.MAX_VALUE).toDays()).isEqualTo(106_751_991_167L);
  }

  @Test
  void ordersByLength() {
    assertThat(Duration.parse("-1h")).isLessThan(Duration.parse("1ms"));
    assertThat(Duration.parse("59m")).isLessThan(Duration.parse("1h"));
    assertThat(Duration.parse("60m")).isEqualTo(Duration.parse("1h"));
    assertThat(Duration.parse("60m").compareTo(Duration.parse("3600s"))).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"1d2h3m4s5ms", "-1h", "0ms", "-9223372036854775808ms", "9223372036854775807ms"})
  void writesAnArgumentThatParsesBackToTheSameValue(String text) {
    Duration d = Duration.parse(text);
    assertThat(Duration.parse(d.argument())).isEqualTo(d);
  }

  @Test
  void writesCedarsCanonicalMillisecondForm() {
    assertThat(Duration.parse("-1h").argument()).isEqualTo("-3600000ms");
    assertThat(Duration.parse("1m30s")).hasToString("duration(\"90000ms\")");
    assertThat(Duration.parse("1s").typeName()).isEqualTo("duration");
    assertThat(Duration.parse("1s").constructorName()).isEqualTo("duration");
  }
}
