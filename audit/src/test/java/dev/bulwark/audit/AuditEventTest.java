package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuditEventTest {
  @Test
  void withAttributeReplacesOnlyThatAttributeAndKeepsIdentity() {
    AuditEvent event =
        AuditEvent.builder("gateway", "http.response", AuditEvent.Outcome.DENIED)
            .subject("alice")
            .attribute("reported_by", "spiffe://forged/by-client")
            .build();

    AuditEvent stamped = event.withAttribute("reported_by", "spiffe://bulwark.local/bulwark/gw");

    assertThat(stamped.id()).isEqualTo(event.id());
    assertThat(stamped.time()).isEqualTo(event.time());
    assertThat(stamped.subject()).contains("alice");
    assertThat(stamped.attribute("reported_by")).contains("spiffe://bulwark.local/bulwark/gw");
    assertThat(event.attribute("reported_by")).contains("spiffe://forged/by-client");
  }

  @Test
  void rejectsBlankNamesAndOversizedValues() {
    AuditEvent.Builder builder = AuditEvent.builder("c", "a", AuditEvent.Outcome.SUCCESS);
    assertThatThrownBy(() -> builder.attribute(" ", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attribute name");
    assertThatThrownBy(() -> builder.attribute("big", "x".repeat(4097)))
        .hasMessageContaining("at most 4096");
    assertThatThrownBy(() -> AuditEvent.builder("", "a", AuditEvent.Outcome.SUCCESS))
        .hasMessageContaining("component");
  }
}
