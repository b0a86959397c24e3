package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditEventCodecTest {
  private static AuditEvent sample() {
    return AuditEvent.builder("identity", "login", AuditEvent.Outcome.DENIED)
        .time(Instant.parse("2026-11-23T10:15:30.123456Z"))
        .subject("alice")
        .sourceAddress("203.0.113.7")
        .reason("bad \"password\"\nline\u2028two")
        .attribute("status", "401")
        .build();
  }

  @Test
  void roundTripsEveryField() {
    AuditEvent event = sample();

    AuditEvent decoded = AuditEventCodec.decode(AuditEventCodec.encode(event));

    assertThat(decoded).isEqualTo(event);
    assertThat(decoded.attributes().keySet())
        .containsExactly("subject", "source_address", "reason", "status");
  }

  @Test
  void encodesOnOneLineInAFixedOrder() {
    String line = new String(AuditEventCodec.encode(sample()), StandardCharsets.UTF_8);

    assertThat(line).doesNotContain("\n").startsWith("{\"id\":\"");
    assertThat(line.indexOf("\"time\"")).isLessThan(line.indexOf("\"component\""));
    assertThat(line).endsWith("\"status\":\"401\"}}");
  }

  @Test
  void rejectsUnknownFieldsDuplicatesAndBadOutcomes() {
    String base =
        "{\"id\":\"1\",\"time\":\"2026-11-23T10:15:30Z\",\"component\":\"c\",\"action\":\"a\",";
    assertThatThrownBy(() -> decode(base + "\"outcome\":\"MAYBE\",\"attributes\":{}}"))
        .hasMessageContaining("outcome 'MAYBE'");
    assertThatThrownBy(() -> decode(base + "\"outcome\":\"SUCCESS\",\"extra\":\"x\"}"))
        .hasMessageContaining("unknown field 'extra'");
    assertThatThrownBy(() -> decode(base + "\"outcome\":\"SUCCESS\",\"action\":\"b\"}"))
        .hasMessageContaining("duplicate field 'action'");
    assertThatThrownBy(
            () ->
                decode(base + "\"outcome\":\"SUCCESS\",\"attributes\":{\"s\":\"1\",\"s\":\"2\"}}"))
        .hasMessageContaining("duplicate attribute 's'");
    assertThatThrownBy(() -> decode(base + "\"outcome\":\"SUCCESS\"} {}"))
        .hasMessageContaining("trailing content");
    assertThatThrownBy(() -> decode("{\"id\":\"1\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsNestedValuesInAttributes() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"id\":\"1\",\"time\":\"2026-11-23T10:15:30Z\",\"component\":\"c\","
                        + "\"action\":\"a\",\"outcome\":\"SUCCESS\",\"attributes\":{\"x\":{}}}"))
        .hasMessageContaining("a string for attribute 'x'");
  }

  private static AuditEvent decode(String json) {
    return AuditEventCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }
}
