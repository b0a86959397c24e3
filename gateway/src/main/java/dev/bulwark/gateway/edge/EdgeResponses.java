package dev.bulwark.gateway.edge;

import dev.bulwark.runtime.http.Json;
import tools.jackson.databind.node.ObjectNode;

/** The JSON error bodies the gateway answers with, in the shape every Bulwark endpoint uses. */
public final class EdgeResponses {
  private EdgeResponses() {}

  /**
   * An error in the OAuth 2.0 shape ({@code error}, {@code error_description}; RFC 6749 §5.2),
   * never cached.
   */
  public static void error(EdgeResponse res, int status, String error, String description) {
    ObjectNode body = Json.object().put("error", error).put("error_description", description);
    res.status(status);
    res.set("Content-Type", "application/json");
    res.set("Cache-Control", "no-store");
    res.send(Json.bytes(body));
  }
}
