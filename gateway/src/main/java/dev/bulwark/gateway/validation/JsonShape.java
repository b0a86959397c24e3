package dev.bulwark.gateway.validation;

import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
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
            // Duplicate keys are refused: RFC 8259 §4 leaves which one wins to each parser, and a
            // gateway that reads {"amount":1,"amount":1000} differently from the upstream checks
            // one request and forwards another.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxDepth + 1).build())
            .build();
    try (JsonParser parser = factory.createParser(ObjectReadContext.empty(), body)) {
      int depth = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          depth++;
          if (depth > maxDepth) {
            return Optional.of(
                new Refusal(
                    400,
                    "invalid_request",
                    "the JSON body is nested deeper than " + maxDepth + " levels",
                    "json_too_deep"));
          }
        } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          depth--;
        }
      }
      return Optional.empty();
    } catch (JacksonException e) {
      boolean duplicate = e.getMessage() != null && e.getMessage().contains("Duplicate field");
      return Optional.of(
          duplicate
              ? new Refusal(
                  400,
                  "invalid_request",
                  "the JSON body repeats a key in one object",
                  "json_duplicate_key")
              : new Refusal(
                  400, "invalid_request", "the body is not well-formed JSON", "json_malformed"));
    }
  }
}
