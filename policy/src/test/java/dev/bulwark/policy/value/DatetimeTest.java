package dev.bulwark.policy.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatetimeTest {
  private static final long DAY = 86_400_000L;

  /** 0000-01-01T00:00:00Z. */
  private static final long YEAR_ZERO = -719_528L * DAY;

  @ParameterizedTest
  @CsvSource({
    "1970-01-01, 0",
    "2024-10-15, 1728950400000",
    "2024-10-15T11:38:02Z, 1728992282000",
    "2024-10-15T11:38:02.101Z, 1728992282101",
    "2024-10-15T11:38:02.101+1134, 1728950642101",
    "2024-10-15T11:38:02.101-1134, 1729033922101",
    "2024-10-15T11:38:02+1134, 1728950642000",
    "2024-10-15T23:59:00+2359, 1728950400000",
    "2024-10-15T00:00:00-2359, 1729036740000",
    "1969-12-31T23:59:59.999Z, -1",
    "2024-02-29, 1709164800000",
    "2000-02-29, 951782400000",
    "0000-01-01, -62167219200000",
    "0000-02-29, -62162121600000",
    "9999-12-31T23:59:59.999Z, 253402300799999",
    "2024-10-15T11:38:02+0000, 1728992282000",
    "2024-10-15T11:38:02-0000, 1728992282000"
  })
  void parsesEveryFormatCedarAccepts(String text, long epochMillis) {
    assertThat(Datetime.parse(text).epochMillis()).isEqualTo(epochMillis);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a",
        "-",
        "-1",
        "11-12-13",
        "1111-1x-20",
        "0000-0a-01",
        "10000-01-01",
        "10000-01-01T00:00:00Z",
        "+2024-01-01",
        "-2024-01-01",
        "2024-1-01",
        "2024-10-15Z",
        "2024-10-15T",
        "2024-01-01Ta",
        "2024-01-01T01:",
        "2024-01-01T01:02",
        "2024-01-01T01:02:0b",
        "2024-01-01T01::02:03",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00T",
        "2024-01-01T00:00:00ZZ",
        "2024-10-15T11:38:02ZZ",
        "2024-01-01T00:00:00.1Z",
        "2024-01-01T00:00:00.12Z",
        "2024-01-01T00:00:00.1234Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00+01",
        "2024-01-01T00:00:00+01:00",
        "2024-01-01T00:00:00+010",
        "2024-01-01T00:00:00+01000",
        "2024-01-01T00:00:00z",
        "2024-01-01 00:00:00Z",
        "2024-01-01t00:00:00Z",
        "2024-01-01T00:00:00Z\n",
        "2024-01-01\n",
        " 2024-01-01",
        "2024-01-01T00:00:00.000",
        "\u0662024-01-01"
      })
  void rejectsMalformedDatetimes(String text) {
    assertThatThrownBy(() -> Datetime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-00-01",
        "2024-01-00",
        "2024-02-30",
        "2025-02-29",
        "1900-02-29",
        "2024-20-01",
        "2024-01-32",
        "2024-01-99",
        "2024-04-31",
        "2024-04-31T00:00:00Z"
      })
  void rejectsDatesNotOnTheCalendar(String text) {
    assertThatThrownBy(() -> Datetime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: a calendar date");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-01-01T24:00:00Z",
        "2024-01-01T31:02:03Z",
        "2024-01-01T01:60:03Z",
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:61Z",
        "2016-12-31T23:59:60.000+0000"
      })
  void rejectsTimesOutOfRangeIncludingLeapSeconds(String text) {
    assertThatThrownBy(() -> Datetime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hours below 24, minutes and seconds below 60");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-01-01T00:00:00+2400",
        "2024-01-01T00:00:00-2400",
        "2024-01-01T00:00:00+0060",
        "2024-01-01T00:00:00.000-9999"
      })
  void rejectsOffsetsOfADayOrMore(String text) {
    assertThatThrownBy(() -> Datetime.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
  }

  @Test
  void reachesBeforeYearZeroAndAfterYear9999ThroughTheOffset() {
    assertThat(Datetime.parse("0000-01-01T00:00:00+2359").epochMillis())
        .isEqualTo(YEAR_ZERO - 1439 * 60_000L);
    assertThat(Datetime.parse("9999-12-31T23:59:59.999-2359").epochMillis())
        .isEqualTo(253_402_300_799_999L + 1439 * 60_000L);
  }

  @Test
  void offsetMovesTheInstantByTheDuration() {
    Datetime d = Datetime.parse("2024-10-15");
    assertThat(d.offset(Duration.parse("1d"))).isEqualTo(Datetime.parse("2024-10-16"));
    assertThat(d.offset(Duration.parse("-1ms")))
        .isEqualTo(Datetime.parse("2024-10-14T23:59:59.999Z"));
  }

  @Test
  void offsetFailsOnOverflow() {
    assertThatThrownBy(() -> new Datetime(Long.MAX_VALUE).offset(new Duration(1)))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> new Datetime(Long.MIN_VALUE).offset(new Duration(-1)))
        .isInstanceOf(ArithmeticException.class);
    assertThat(new Datetime(Long.MAX_VALUE).offset(new Duration(Long.MIN_VALUE)).epochMillis())
        .isEqualTo(-1L);
  }

  @Test
  void durationSinceIsTheSignedDifference() {
    Datetime later = Datetime.parse("2024-10-15T11:38:02Z");
    Datetime earlier = Datetime.parse("2024-10-15");
    assertThat(later.durationSince(earlier)).isEqualTo(Duration.parse("11h38m2s"));
    assertThat(earlier.durationSince(later)).isEqualTo(Duration.parse("-11h38m2s"));
  }

  @Test
  void durationSinceFailsOnOverflow() {
    assertThatThrownBy(() -> new Datetime(Long.MAX_VALUE).durationSince(new Datetime(-1)))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> new Datetime(Long.MIN_VALUE).durationSince(new Datetime(1)))
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void toDateIsMidnightUtcOfTheDay() {
    assertThat(Datetime.parse("2024-10-15T11:38:02.101-1134").toDate())
        .isEqualTo(Datetime.parse("2024-10-15"));
    assertThat(Datetime.parse("2024-10-15").toDate()).isEqualTo(Datetime.parse("2024-10-15"));
  }

  @Test
  void toDateOfAnInstantBeforeTheEpochIsTheEarlierMidnight() {
    assertThat(new Datetime(-1).toDate()).isEqualTo(Datetime.parse("1969-12-31"));
    assertThat(new Datetime(-DAY).toDate()).isEqualTo(Datetime.parse("1969-12-31"));
    assertThat(new Datetime(-DAY - 1).toDate()).isEqualTo(Datetime.parse("1969-12-30"));
    assertThat(Datetime.parse("1969-07-20T20:17:40Z").toDate())
        .isEqualTo(Datetime.parse("1969-07-20"));
  }

  @Test
  void toDateFailsWhenTheMidnightIsNotRepresentable() {
    assertThatThrownBy(() -> new Datetime(Long.MIN_VALUE).toDate())
        .isInstanceOf(ArithmeticException.class);
    long firstWholeDay = Math.floorDiv(Long.MIN_VALUE, DAY) * DAY + DAY;
    assertThat(new Datetime(firstWholeDay).toDate().epochMillis()).isEqualTo(firstWholeDay);
    assertThat(new Datetime(Long.MAX_VALUE).toDate().epochMillis())
        .isEqualTo(Long.MAX_VALUE - Math.floorMod(Long.MAX_VALUE, DAY));
  }

  @Test
  void toTimeIsTheTimeSinceMidnightUtc() {
    assertThat(Datetime.parse("2024-10-15T11:38:02.101Z").toTime())
        .isEqualTo(Duration.parse("11h38m2s101ms"));
    assertThat(Datetime.parse("2024-10-15").toTime()).isEqualTo(new Duration(0));
    assertThat(new Datetime(-1).toTime()).isEqualTo(Duration.parse("23h59m59s999ms"));
    assertThat(new Datetime(-DAY).toTime()).isEqualTo(new Duration(0));
    assertThat(new Datetime(Long.MIN_VALUE).toTime().millis())
        .isEqualTo(Math.floorMod(Long.MIN_VALUE, DAY));
  }

  @Test
  void ordersByInstantWhateverTheOffsetWritten() {
    assertThat(Datetime.parse("2024-10-15T12:00:00+0100"))
        .isEqualTo(Datetime.parse("2024-10-15T11:00:00Z"));
    assertThat(Datetime.parse("2024-10-15T12:00:00+0100"))
        .isLessThan(Datetime.parse("2024-10-15T11:00:00.001Z"));
  }

  @ParameterizedTest
  @CsvSource({
    "2024-10-15, 2024-10-15",
    "2024-10-15T11:38:02Z, 2024-10-15T11:38:02.000Z",
    "2024-10-15T11:38:02.101-1134, 2024-10-15T23:12:02.101Z",
    "1969-12-31T23:59:59.999Z, 1969-12-31T23:59:59.999Z",
    "0000-01-01, 0000-01-01",
    "9999-12-31T23:59:59.999Z, 9999-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00+2359, 0000-01-01T00:00:00.000+2359",
    "0000-01-01T10:00:00+2359, 0000-01-01T10:00:00.000+2359",
    "9999-12-31T23:59:59.999-2359, 9999-12-31T23:59:59.999-2359"
  })
  void writesAnArgumentThatParsesBackToTheSameInstant(String text, String argument) {
    Datetime d = Datetime.parse(text);
    assertThat(d.hasArgument()).isTrue();
    assertThat(d.argument()).isEqualTo(argument);
    assertThat(Datetime.parse(d.argument())).isEqualTo(d);
  }

  @Test
  void refusesAnArgumentForAnInstantNoDatetimeStringNames() {
    Datetime far = Datetime.parse("0000-01-01T00:00:00+2359").offset(new Duration(-1));
    assertThat(far.hasArgument()).isFalse();
    assertThatThrownBy(far::argument)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Long.toString(far.epochMillis()));
    assertThat(far)
        .hasToString("datetime(\"1970-01-01\").offset(duration(\"" + far.epochMillis() + "ms\"))");
  }

  @Test
  void namesItselfAsCedarDoes() {
    Datetime d = Datetime.parse("2024-10-15");
    assertThat(d.typeName()).isEqualTo("datetime");
    assertThat(d.constructorName()).isEqualTo("datetime");
    assertThat(d).hasToString("datetime(\"2024-10-15\")");
  }
}
