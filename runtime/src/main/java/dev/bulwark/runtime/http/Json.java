package dev.bulwark.runtime.http;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The one JSON mapper Bulwark's HTTP endpoints share (it is thread-safe and costly to build). */
public final class Json {
  public static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(Object value) {
    return MAPPER.writeValueAsBytes(value);
  }
}
