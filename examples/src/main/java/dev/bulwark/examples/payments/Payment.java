package dev.bulwark.examples.payments;

import dev.bulwark.runtime.http.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/** A payment as stored. */
record Payment(
    String id,
    String owner,
    BigDecimal amount,
    String currency,
    String description,
    String status,
    Instant createdAt,
    Optional<Instant> refundedAt) {

  ObjectNode toJson() {
    ObjectNode json =
        Json.object()
            .put("id", id)
            .put("owner", owner)
            .put("amount", amount.toPlainString())
            .put("currency", currency)
            .put("description", description)
            .put("status", status)
            .put("created_at", createdAt.toString());
    refundedAt.ifPresent(t -> json.put("refunded_at", t.toString()));
    return json;
  }
}
