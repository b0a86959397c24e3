package dev.bulwark.platform.audit;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditEventCodec;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.audit.log.AuditException;
import dev.bulwark.audit.log.AuditLog;
import dev.bulwark.audit.log.AuditQuery;
import dev.bulwark.audit.log.AuditRecord;
import dev.bulwark.audit.log.InclusionProof;
import dev.bulwark.audit.log.SignedTreeHead;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.workload.SpiffeId;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The central audit collector's HTTP API (docs/audit.md). Workloads post batches of events as
 * NDJSON over mutual TLS; a batch is answered 200 only once every event in it is durable, so an
 * emitter that saw 200 may forget the batch. Each stored event records the SPIFFE ID of the
 * workload that reported it, taken from its certificate, never from the body.
 */
public final class AuditCollector {
  /** The largest batch body accepted. */
  public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  /** The attribute naming the workload that reported an event. */
  public static final String REPORTED_BY = "reported_by";

  private static final Logger LOG = LoggerFactory.getLogger(AuditCollector.class);
  private static final Duration DURABILITY_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_QUERY_LIMIT = 10_000;

  private final AuditLog log;
  private final AuditSink observers;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();

  /**
   * @param log where events are stored
   * @param observers what sees each event once it is durable, e.g. the alert rules
   */
  public AuditCollector(AuditLog log, AuditSink observers) {
    this.log = requireNonNull(log, "log");
    this.observers = requireNonNull(observers, "observers");
  }

  /** Events stored since start. */
  public long accepted() {
    return accepted.sum();
  }

  /** Batches refused since start (malformed, or the store failed). */
  public long refused() {
    return refused.sum();
  }

  /** Adds the collector's routes. The caller restricts {@code /v1/query} to operators. */
  public void routes(HttpRouting.Builder routes) {
    routes
        .post("/v1/events", this::receive)
        .any("/v1/events", HttpResponses.methodNotAllowed("POST"))
        .get("/v1/checkpoint", this::checkpoint)
        .any("/v1/checkpoint", HttpResponses.methodNotAllowed("GET"))
        .get("/v1/proof", this::proof)
        .any("/v1/proof", HttpResponses.methodNotAllowed("GET"))
        .get("/v1/query", this::query)
        .any("/v1/query", HttpResponses.methodNotAllowed("GET"))
        .any(
            (req, res) ->
                HttpResponses.error(
                    res, Status.NOT_FOUND_404, "not_found", "no such endpoint on the collector"));
  }

  private void receive(ServerRequest req, ServerResponse res) {
    Optional<SpiffeId> reporter = req.context().get(SpiffeId.class, SpiffeId.class);
    if (reporter.isEmpty()) {
      refused.increment();
      HttpResponses.error(
          res,
          Status.UNAUTHORIZED_401,
          "invalid_client",
          "events are accepted only from workloads with an X.509-SVID");
      return;
    }
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-ndjson")) {
      refused.increment();
      HttpResponses.error(
          res,
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "unsupported_media_type",
          "the body must be application/x-ndjson: one audit event per line");
      return;
    }
    byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    if (body.length > MAX_BODY_BYTES) {
      refused.increment();
      HttpResponses.error(
          res,
          Status.REQUEST_ENTITY_TOO_LARGE_413,
          "invalid_request",
          "the batch is larger than " + MAX_BODY_BYTES + " bytes; send smaller batches");
      return;
    }
    List<AuditEvent> events;
    try {
      events = decode(body, reporter.get().toString());
    } catch (MalformedLine e) {
      refused.increment();
      // The line lets an emitter drop the one bad event and keep the rest (docs/audit-events.md).
      HttpResponses.json(
          res,
          Status.BAD_REQUEST_400,
          Json.object()
              .put("error", "invalid_request")
              .put("error_description", e.getMessage())
              .put("line", e.line));
      return;
    } catch (IllegalArgumentException e) {
      refused.increment();
      HttpResponses.error(res, Status.BAD_REQUEST_400, "invalid_request", e.getMessage());
      return;
    }
    List<Long> sequences;
    try {
      sequences = log.append(events).get(DURABILITY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | AuditException e) {
      refused.increment();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.error(
          "audit batch of {} events from {} not stored: {}",
          events.size(),
          reporter.get(),
          cause == null ? e.toString() : cause.getMessage());
      res.header(HeaderNames.RETRY_AFTER, "5");
      HttpResponses.error(
          res,
          Status.SERVICE_UNAVAILABLE_503,
          "temporarily_unavailable",
          "the audit store cannot write now; retry later");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      refused.increment();
      HttpResponses.error(
          res, Status.SERVICE_UNAVAILABLE_503, "temporarily_unavailable", "shutting down");
      return;
    }
    accepted.add(events.size());
    for (AuditEvent event : events) {
      observers.emit(event);
    }
    ObjectNode answer = Json.object().put("accepted", events.size());
    ArrayNode numbers = answer.putArray("sequences");
    sequences.forEach(numbers::add);
    HttpResponses.json(res, Status.OK_200, answer);
  }

  private void checkpoint(ServerRequest req, ServerResponse res) {
    Optional<SignedTreeHead> head = log.latestCheckpoint();
    if (head.isEmpty()) {
      HttpResponses.error(res, Status.NOT_FOUND_404, "not_found", "no checkpoint signed yet");
      return;
    }
    HttpResponses.json(res, Status.OK_200, Json.MAPPER.readTree(head.get().toJson()));
  }

  private void proof(ServerRequest req, ServerResponse res) {
    Optional<SignedTreeHead> head = log.latestCheckpoint();
    long sequence;
    try {
      sequence = Long.parseLong(req.query().first("sequence").orElse("-1"));
    } catch (NumberFormatException e) {
      sequence = -1;
    }
    if (head.isEmpty() || sequence < 0 || sequence >= head.get().treeSize()) {
      HttpResponses.error(
          res,
          Status.NOT_FOUND_404,
          "not_found",
          "no record with that sequence under the latest checkpoint"
              + head.map(h -> " (it covers 0.." + (h.treeSize() - 1) + ")").orElse(""));
      return;
    }
    InclusionProof proof = log.prove(sequence, head.get().treeSize());
    AuditRecord record;
    try (var records = log.records(sequence)) {
      record = records.findFirst().orElseThrow(() -> new IllegalStateException("record gone"));
    }
    ObjectNode answer = Json.object();
    answer.set("checkpoint", Json.MAPPER.readTree(head.get().toJson()));
    answer.set("proof", Json.MAPPER.readTree(proof.toJson()));
    // The stored encoding, so the proof can be checked against the very bytes that were hashed.
    answer.put("event", utf8(AuditEventCodec.encode(record.event())));
    HttpResponses.json(res, Status.OK_200, answer);
  }

  private void query(ServerRequest req, ServerResponse res) {
    AuditQuery query;
    try {
      query = query(req);
    } catch (IllegalArgumentException e) {
      HttpResponses.error(res, Status.BAD_REQUEST_400, "invalid_request", e.getMessage());
      return;
    }
    ArrayNode records = Json.MAPPER.createArrayNode();
    for (AuditRecord record : log.query(query)) {
      ObjectNode entry = Json.object().put("sequence", record.sequence());
      entry.set("event", Json.MAPPER.readTree(AuditEventCodec.encode(record.event())));
      records.add(entry);
    }
    ObjectNode answer = Json.object();
    answer.set("records", records);
    HttpResponses.json(res, Status.OK_200, answer);
  }

  private static AuditQuery query(ServerRequest req) {
    AuditQuery.Builder query = AuditQuery.builder();
    req.query().first("subject").asOptional().ifPresent(query::subject);
    req.query().first("action").asOptional().ifPresent(query::action);
    req.query().first("component").asOptional().ifPresent(query::component);
    req.query().first("outcome").asOptional().ifPresent(o -> query.outcome(outcome(o)));
    req.query().first("since").asOptional().map(AuditCollector::instant).ifPresent(query::from);
    req.query().first("until").asOptional().map(AuditCollector::instant).ifPresent(query::to);
    int limit = req.query().first("limit").asOptional().map(Integer::parseInt).orElse(100);
    if (limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new IllegalArgumentException(
          "limit: " + limit + " (expected: 1 to " + MAX_QUERY_LIMIT + ")");
    }
    return query.limit(limit).build();
  }

  private static AuditEvent.Outcome outcome(String value) {
    for (AuditEvent.Outcome outcome : AuditEvent.Outcome.values()) {
      if (outcome.name().equalsIgnoreCase(value)) {
        return outcome;
      }
    }
    throw new IllegalArgumentException(
        "outcome: '" + value + "' (expected: success, failure or denied)");
  }

  private static Instant instant(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' is not a time (expected: an ISO-8601 instant like 2026-11-23T10:00:00Z)");
    }
  }

  private static List<AuditEvent> decode(byte[] body, String reporter) {
    List<AuditEvent> events = new ArrayList<>();
    int start = 0;
    int line = 1;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        if (i > start) {
          byte[] encoded = java.util.Arrays.copyOfRange(body, start, i);
          try {
            events.add(AuditEventCodec.decode(encoded).withAttribute(REPORTED_BY, reporter));
          } catch (IllegalArgumentException e) {
            throw new MalformedLine(line, e.getMessage());
          }
        }
        start = i + 1;
        line++;
      }
    }
    if (events.isEmpty()) {
      throw new IllegalArgumentException("the batch holds no events");
    }
    return events;
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  // One event of a batch that does not decode, and which line of the body it was on (1-based).
  private static final class MalformedLine extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int line;

    MalformedLine(int line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }
  }
}
