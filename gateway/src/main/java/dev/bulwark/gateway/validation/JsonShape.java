package dev.bulwark.gateway.validation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * Checks a JSON body's nesting depth, well-formedness and object keys with one streaming pass,
 * without building a tree, so a hostile body costs no more than its bytes.
 */
final class JsonShape {
  private JsonShape() {}

  /**
   * Whether {@code mediaType} (lower case, no parameters) is JSON: {@code application/json} or a
   * {@code +json} type (RFC 6839 §3.1).
   */
  static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  static Optional<Refusal> check(byte[] body, int maxDepth) {
    // Jackson's own depth limit sits one above ours, so the refusal below names the real cause.
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxDepth + 1).build())
            .build();
    try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), body)) {
      int roots = 0;
      // One entry per open object or array: the keys seen so far (an array's stays empty).
      Deque<Set<String>> keys = new ArrayDeque<>();
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        // RFC 8259 §2: one value. Jackson would read "{} {}" as two; an upstream may read one.
        if (keys.isEmpty() && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
          roots++;
          if (roots > 1) {
            return Optional.of(malformed());
          }
        }
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          if (keys.size() == maxDepth) {
            return Optional.of(
                new Refusal(
                    400,
                    "invalid_request",
                    "the JSON body is nested deeper than " + maxDepth + " levels",
                    "json_too_deep"));
          }
          keys.push(new HashSet<>());
        } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          keys.pop();
        } else if (token == JsonToken.PROPERTY_NAME && !keys.peek().add(parser.currentName())) {
          // RFC 8259 §4 leaves which duplicate wins to each parser: a gateway that reads
          // {"amount":1,"amount":1000} differently from the upstream checks one request and
          // forwards another.
          return Optional.of(
              new Refusal(
                  400,
                  "invalid_request",
                  "the JSON body repeats a key in one object",
                  "json_duplicate_key"));
        }
      }
      return Optional.empty();
    } catch (JacksonException e) {
      return Optional.of(malformed());
    }
  }

  private static Refusal malformed() {
    return new Refusal(
        400, "invalid_request", "the body is not well-formed JSON", "json_malformed");
  }
}
