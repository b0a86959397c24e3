package dev.bulwark.examples.profiles;

import dev.bulwark.runtime.http.Json;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/** A profile as stored. */
record Profile(String id, String displayName, String email, Instant updatedAt) {
  ObjectNode toJson() {
    return Json.object()
        .put("id", id)
        .put("display_name", displayName)
        .put("email", email)
        .put("updated_at", updatedAt.toString());
  }
}
