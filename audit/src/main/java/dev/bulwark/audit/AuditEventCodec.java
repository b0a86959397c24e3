package dev.bulwark.audit;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * The one encoding of an {@link AuditEvent}: a single line of JSON with the fields always in the
 * same order, {@code {"id","time","component","action","outcome","attributes":{...}}}. The emitter
 * sends it, the collector stores it, and the store hashes exactly these bytes.
 */
public final class AuditEventCodec {
  /** The largest encoded event accepted, in bytes. */
  public static final int MAX_ENCODED_BYTES = 64 * 1024;

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(3)
                  .maxStringLength(AuditEvent.Builder.MAX_VALUE_LENGTH)
                  .maxDocumentLength(MAX_ENCODED_BYTES)
                  .build())
          .build();

  private AuditEventCodec() {}

  /** The event as one line of UTF-8 JSON, without the line break. */
  public static byte[] encode(AuditEvent event) {
    requireNonNull(event, "event");
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
      json.writeStartObject();
      json.writeStringProperty("id", event.id());
      json.writeStringProperty("time", event.time().toString());
      json.writeStringProperty("component", event.component());
      json.writeStringProperty("action", event.action());
      json.writeStringProperty("outcome", event.outcome().name());
      json.writeName("attributes");
      json.writeStartObject();
      for (var attribute : event.attributes().entrySet()) {
        json.writeStringProperty(attribute.getKey(), attribute.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  /**
   * Reads one encoded event.
   *
   * @throws IllegalArgumentException naming what is wrong, if {@code encoded} is not an event
   */
  public static AuditEvent decode(byte[] encoded) {
    requireNonNull(encoded, "encoded");
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "audit event: "
              + encoded.length
              + " bytes (expected: at most "
              + MAX_ENCODED_BYTES
              + ")");
    }
    try (JsonParser json = JSON.createParser(ObjectReadContext.empty(), encoded)) {
      expect(json.nextToken(), JsonToken.START_OBJECT, "an object");
      String id = null;
      String time = null;
      String component = null;
      String action = null;
      String outcome = null;
      AuditEvent.Builder builder = null;
      Set<String> seen = new HashSet<>();
      while (json.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = json.currentName();
        if (!seen.add(field)) {
          throw new IllegalArgumentException("audit event: duplicate field '" + field + "'");
        }
        if (field.equals("attributes")) {
          if (id == null
              || time == null
              || component == null
              || action == null
              || outcome == null) {
            throw new IllegalArgumentException(
                "audit event: 'attributes' before id, time, component, action and outcome");
          }
          builder = header(id, time, component, action, outcome);
          readAttributes(json, builder);
          continue;
        }
        expect(json.nextToken(), JsonToken.VALUE_STRING, "a string for '" + field + "'");
        String value = json.getString();
        switch (field) {
          case "id" -> id = value;
          case "time" -> time = value;
          case "component" -> component = value;
          case "action" -> action = value;
          case "outcome" -> outcome = value;
          default ->
              throw new IllegalArgumentException("audit event: unknown field '" + field + "'");
        }
      }
      if (json.nextToken() != null) {
        throw new IllegalArgumentException("audit event: trailing content after the object");
      }
      if (builder == null) {
        if (id == null || time == null || component == null || action == null || outcome == null) {
          throw new IllegalArgumentException(
              "audit event: missing one of id, time, component, action, outcome");
        }
        builder = header(id, time, component, action, outcome);
      }
      return builder.build();
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "audit event: not valid JSON (" + e.getOriginalMessage() + ")");
    }
  }

  private static AuditEvent.Builder header(
      String id, String time, String component, String action, String outcome) {
    AuditEvent.Outcome parsedOutcome;
    try {
      parsedOutcome = AuditEvent.Outcome.valueOf(outcome);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "audit event: outcome '" + outcome + "' (expected: SUCCESS, FAILURE or DENIED)");
    }
    Instant parsedTime;
    try {
      parsedTime = Instant.parse(time);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "audit event: time '" + time + "' (expected: an ISO-8601 instant)");
    }
    return AuditEvent.builder(component, action, parsedOutcome).id(id).time(parsedTime);
  }

  private static void readAttributes(JsonParser json, AuditEvent.Builder builder) {
    expect(json.nextToken(), JsonToken.START_OBJECT, "an object for 'attributes'");
    Set<String> seen = new HashSet<>();
    while (json.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = json.currentName();
      if (!seen.add(name)) {
        throw new IllegalArgumentException("audit event: duplicate attribute '" + name + "'");
      }
      expect(json.nextToken(), JsonToken.VALUE_STRING, "a string for attribute '" + name + "'");
      builder.attribute(name, json.getString());
    }
  }

  private static void expect(JsonToken actual, JsonToken expected, String what) {
    if (actual != expected) {
      throw new IllegalArgumentException("audit event: expected " + what + ", found " + actual);
    }
  }
}
