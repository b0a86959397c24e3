package dev.bulwark.keys.server;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.keys.DataKey;
import dev.bulwark.keys.KeyRing;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.KeyVersion;
import dev.bulwark.keys.KeysException;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.PeerWorkload;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.sdk.workload.SpiffeId;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The keys service's HTTP API (docs/keys.md). Each handler settles, in this order, who calls (401
 * without a workload certificate), whether the ring name is well formed (400), whether the policy
 * allows it (403, before anything about the ring is revealed), and only then looks at the ring and
 * the body. Every request ends in exactly one audit event.
 */
final class KeysApi {
  /** The largest request body read: a 64 KiB value in base64 with its associated data fits. */
  static final int MAX_BODY_BYTES = 256 * 1024;

  /** The largest plaintext, ciphertext or associated data accepted, once decoded. */
  static final int MAX_DATA_BYTES = 64 * 1024;

  // As KeyRings names them; checked here so a malformed name is a 400, not a lookup.
  private static final Pattern RING_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final String DECRYPT_FAILED =
      "the ciphertext does not decrypt with this ring and associated data (wrong ring, wrong"
          + " associated data, or altered bytes)";

  private final KeyRings rings;
  private final KeyAccessPolicy policy;
  private final KeysAudit audit;

  KeysApi(KeyRings rings, KeyAccessPolicy policy, KeysAudit audit) {
    this.rings = requireNonNull(rings, "rings");
    this.policy = requireNonNull(policy, "policy");
    this.audit = requireNonNull(audit, "audit");
  }

  /** Adds the API's routes, and answers unknown paths and methods in the API's error format. */
  void routes(HttpRouting.Builder routes) {
    routes
        .get("/v1/keys", this::listRings)
        .any("/v1/keys", HttpResponses.methodNotAllowed("GET"))
        .post("/v1/keys/{ring}/encrypt", this::encrypt)
        .any("/v1/keys/{ring}/encrypt", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/decrypt", this::decrypt)
        .any("/v1/keys/{ring}/decrypt", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/datakey", this::generateDataKey)
        .any("/v1/keys/{ring}/datakey", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/datakey/decrypt", this::decryptDataKey)
        .any("/v1/keys/{ring}/datakey/decrypt", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/rewrap", this::rewrap)
        .any("/v1/keys/{ring}/rewrap", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/rotate", this::rotate)
        .any("/v1/keys/{ring}/rotate", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/keys/{ring}/versions/{version}/{change}", this::changeVersion)
        .any("/v1/keys/{ring}/versions/{version}/{change}", HttpResponses.methodNotAllowed("POST"))
        .get("/v1/keys/{ring}", this::readRing)
        .post("/v1/keys/{ring}", this::createRing)
        .any("/v1/keys/{ring}", HttpResponses.methodNotAllowed("GET, POST"))
        .any(
            (req, res) ->
                HttpResponses.error(
                    res,
                    Status.NOT_FOUND_404,
                    "not_found",
                    "no such endpoint on the keys service"));
  }

  private void encrypt(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.encrypt",
        Operation.ENCRYPT,
        call -> {
          ObjectNode body = jsonBody(req);
          byte[] plaintext = bytes(body, "plaintext");
          byte[] associatedData = optionalBytes(body, "associated_data");
          KeyRing ring = existing(call.ring);
          byte[] ciphertext = ring.encrypt(plaintext, associatedData);
          call.version = OptionalInt.of(ring.versionOf(ciphertext));
          return Json.object()
              .put("ciphertext", base64(ciphertext))
              .put("version", call.version.getAsInt());
        });
  }

  private void decrypt(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.decrypt",
        Operation.DECRYPT,
        call -> {
          ObjectNode body = jsonBody(req);
          byte[] ciphertext = bytes(body, "ciphertext");
          byte[] associatedData = optionalBytes(body, "associated_data");
          KeyRing ring = existing(call.ring);
          call.version = OptionalInt.of(ring.versionOf(ciphertext));
          return Json.object().put("plaintext", base64(ring.decrypt(ciphertext, associatedData)));
        });
  }

  private void generateDataKey(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.datakey",
        Operation.DATAKEY,
        call -> {
          DataKey key = existing(call.ring).generateDataKey();
          call.version = OptionalInt.of(key.version());
          return Json.object()
              .put("plaintext", base64(key.plaintext()))
              .put("wrapped", base64(key.wrapped()))
              .put("version", key.version());
        });
  }

  private void decryptDataKey(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.datakey.decrypt",
        Operation.DECRYPT,
        call -> {
          byte[] wrapped = bytes(jsonBody(req), "wrapped");
          KeyRing ring = existing(call.ring);
          call.version = OptionalInt.of(ring.versionOf(wrapped));
          return Json.object().put("plaintext", base64(ring.decryptDataKey(wrapped)));
        });
  }

  private void rewrap(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.rewrap",
        Operation.REWRAP,
        call -> {
          byte[] ciphertext = bytes(jsonBody(req), "ciphertext");
          KeyRing ring = existing(call.ring);
          byte[] rewrapped = ring.rewrap(ciphertext);
          call.version = OptionalInt.of(ring.versionOf(rewrapped));
          return Json.object()
              .put("ciphertext", base64(rewrapped))
              .put("version", call.version.getAsInt());
        });
  }

  private void rotate(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.ring.rotate",
        Operation.ADMIN,
        call -> {
          KeyRing ring = existing(call.ring);
          KeyVersion created = ring.rotate();
          call.version = OptionalInt.of(created.version());
          return ring(ring).put("version", created.version());
        });
  }

  private void changeVersion(ServerRequest req, ServerResponse res) {
    String change = req.path().pathParameters().get("change");
    if (!change.equals("disable") && !change.equals("enable") && !change.equals("destroy")) {
      HttpResponses.error(
          res,
          Status.NOT_FOUND_404,
          "not_found",
          "no such endpoint on the keys service (expected: versions/{n}/disable, enable or"
              + " destroy)");
      return;
    }
    serve(
        req,
        res,
        "keys.version." + change,
        Operation.ADMIN,
        call -> {
          String text = req.path().pathParameters().get("version");
          if (!VERSION.matcher(text).matches()) {
            throw ApiError.invalid("version: '" + printable(text) + "' (expected: a number >= 1)");
          }
          int number = Integer.parseInt(text);
          call.version = OptionalInt.of(number);
          KeyRing ring = existing(call.ring);
          KeyVersion changed =
              switch (change) {
                case "disable" -> ring.disable(number);
                case "enable" -> ring.enable(number);
                default -> ring.destroy(number);
              };
          return ring(ring).put("version", changed.version());
        });
  }

  private void readRing(ServerRequest req, ServerResponse res) {
    serve(req, res, "keys.ring.read", Operation.ADMIN, call -> ring(existing(call.ring)));
  }

  private void createRing(ServerRequest req, ServerResponse res) {
    serve(
        req,
        res,
        "keys.ring.create",
        Operation.ADMIN,
        call -> {
          if (rings.find(call.ring).isPresent()) {
            throw new ApiError(
                Status.CONFLICT_409.code(),
                "ring_exists",
                "ring '" + call.ring + "' exists already",
                AuditEvent.Outcome.FAILURE);
          }
          KeyRing created = rings.ring(call.ring);
          call.status = Status.CREATED_201;
          call.version = OptionalInt.of(created.primaryVersion());
          return ring(created);
        });
  }

  private void listRings(ServerRequest req, ServerResponse res) {
    Call call = new Call(req, "*");
    try {
      SpiffeId caller = caller(call);
      if (!policy.grantsAnywhere(caller, Operation.ADMIN)) {
        throw forbidden("no rule lets " + caller + " ADMIN on any ring");
      }
      ArrayNode names = Json.MAPPER.createArrayNode();
      rings.names().stream()
          .filter(name -> policy.decide(caller, name, Operation.ADMIN).allowed())
          .forEach(names::add);
      ObjectNode body = Json.object();
      body.set("rings", names);
      call.succeeded("keys.ring.list", audit, "rings the caller administers");
      HttpResponses.json(res, Status.OK_200, body);
    } catch (ApiError e) {
      call.refused("keys.ring.list", audit, e);
      e.respond(res);
    }
  }

  /** The steps every ring endpoint shares: caller, ring name, policy, then {@code work}. */
  private void serve(
      ServerRequest req, ServerResponse res, String action, Operation operation, Work work) {
    Call call = new Call(req, req.path().pathParameters().get("ring"));
    try {
      SpiffeId caller = caller(call);
      if (!RING_NAME.matcher(call.ring).matches()) {
        throw ApiError.invalid(
            "ring: '"
                + printable(call.ring)
                + "' (expected: 1 to 64 characters of a-z 0-9 . _ -, starting with a letter or"
                + " digit)");
      }
      KeyAccessPolicy.Decision decision = policy.decide(caller, call.ring, operation);
      if (!decision.allowed()) {
        throw forbidden(decision.reason());
      }
      ObjectNode body;
      try {
        body = work.perform(call);
      } catch (KeysException e) {
        throw ApiError.of(e, call.ring);
      }
      call.succeeded(action, audit, decision.reason());
      HttpResponses.json(res, call.status, body);
    } catch (ApiError e) {
      call.refused(action, audit, e);
      e.respond(res);
    }
  }

  private KeyRing existing(String name) {
    // find, never ring(): a data operation must not create the ring it names.
    return rings
        .find(name)
        .orElseThrow(
            () ->
                new ApiError(
                    Status.NOT_FOUND_404.code(),
                    "ring_not_found",
                    "no key ring '" + name + "'",
                    AuditEvent.Outcome.FAILURE));
  }

  private static SpiffeId caller(Call call) {
    return call.caller.orElseThrow(
        () ->
            new ApiError(
                Status.UNAUTHORIZED_401.code(),
                "client_certificate_required",
                "the keys service needs the caller's workload certificate (an X.509-SVID) at the"
                    + " TLS handshake",
                AuditEvent.Outcome.DENIED));
  }

  private static ApiError forbidden(String reason) {
    return new ApiError(
        Status.FORBIDDEN_403.code(), "forbidden", reason, AuditEvent.Outcome.DENIED);
  }

  private static ObjectNode ring(KeyRing ring) {
    ObjectNode body = Json.object().put("name", ring.name()).put("primary", ring.primaryVersion());
    ArrayNode versions = body.putArray("versions");
    for (KeyVersion version : ring.versions()) {
      versions.add(versionFields(Json.object(), version));
    }
    return body;
  }

  private static ObjectNode versionFields(ObjectNode node, KeyVersion version) {
    return node.put("version", version.version())
        .put("state", version.state().name().toLowerCase(Locale.ROOT))
        .put("primary", version.primary())
        .put("created", version.created().toString());
  }

  private static ObjectNode jsonBody(ServerRequest req) {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new ApiError(
          Status.UNSUPPORTED_MEDIA_TYPE_415.code(),
          "unsupported_media_type",
          "the body must be application/json",
          AuditEvent.Outcome.FAILURE);
    }
    if (!req.content().hasEntity()) {
      throw ApiError.invalid("the request has no body (expected: a JSON object)");
    }
    byte[] bytes = req.content().as(byte[].class);
    JsonNode parsed;
    try {
      parsed = Json.MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw ApiError.invalid("the body is not valid JSON");
    }
    if (parsed == null || !parsed.isObject()) {
      throw ApiError.invalid("the body must be a JSON object");
    }
    return (ObjectNode) parsed;
  }

  private static byte[] bytes(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw ApiError.invalid(field + ": missing (expected: base64)");
    }
    return decode(value, field);
  }

  private static byte[] optionalBytes(JsonNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? new byte[0] : decode(value, field);
  }

  private static byte[] decode(JsonNode value, String field) {
    if (!value.isString()) {
      throw ApiError.invalid(field + ": not a string (expected: base64)");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(value.asString());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(field + ": not base64 (expected: standard base64 with padding)");
    }
    if (decoded.length > MAX_DATA_BYTES) {
      throw new ApiError(
          Status.REQUEST_ENTITY_TOO_LARGE_413.code(),
          "payload_too_large",
          field
              + ": "
              + decoded.length
              + " bytes (expected: at most "
              + MAX_DATA_BYTES
              + "; encrypt larger data locally with a data key)",
          AuditEvent.Outcome.FAILURE);
    }
    return decoded;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  // Path segments come from the caller: shown back only shortened and as printable ASCII.
  private static String printable(String value) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < value.length() && shown.length() < 64; i++) {
      char c = value.charAt(i);
      shown.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return value.length() > 64 ? shown + "..." : shown.toString();
  }

  /** What an endpoint does once caller, ring name and policy have been settled. */
  @FunctionalInterface
  private interface Work {
    ObjectNode perform(Call call);
  }

  /** One request as the audit log sees it. */
  private static final class Call {
    final Optional<SpiffeId> caller;
    final String ring;
    final String sourceAddress;
    final String requestId;
    OptionalInt version = OptionalInt.empty();
    Status status = Status.OK_200;

    Call(ServerRequest req, String ring) {
      this.caller = PeerWorkload.of(req.remotePeer());
      this.ring = printable(ring);
      this.sourceAddress = PeerAddress.of(req.remotePeer());
      this.requestId = RequestIds.current().orElse("-");
    }

    void succeeded(String action, KeysAudit audit, String reason) {
      audit.record(
          action,
          AuditEvent.Outcome.SUCCESS,
          workload(),
          ring,
          version,
          reason,
          sourceAddress,
          requestId);
    }

    void refused(String action, KeysAudit audit, ApiError error) {
      audit.record(
          action,
          error.outcome,
          workload(),
          ring,
          version,
          error.code + ": " + error.description,
          sourceAddress,
          requestId);
    }

    private String workload() {
      return caller.map(SpiffeId::toString).orElse("-");
    }
  }

  /** A refusal, answered in the API's error format with a stable code. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final String description;
    final transient AuditEvent.Outcome outcome;

    ApiError(int status, String code, String description, AuditEvent.Outcome outcome) {
      super(code + ": " + description, null, false, false);
      this.status = status;
      this.code = code;
      this.description = description;
      this.outcome = outcome;
    }

    static ApiError invalid(String description) {
      return new ApiError(
          Status.BAD_REQUEST_400.code(),
          "invalid_request",
          description,
          AuditEvent.Outcome.FAILURE);
    }

    // Descriptions are written here rather than passed on from the key ring, so that no answer can
    // carry the bytes the request held.
    static ApiError of(KeysException e, String ring) {
      AuditEvent.Outcome failure = AuditEvent.Outcome.FAILURE;
      return switch (e.code()) {
        case DECRYPT_FAILED -> new ApiError(422, "decrypt_failed", DECRYPT_FAILED, failure);
        case RING_NOT_FOUND ->
            new ApiError(404, "ring_not_found", "no key ring '" + ring + "'", failure);
        case VERSION_NOT_FOUND ->
            new ApiError(
                404, "version_not_found", "ring '" + ring + "' has no such version", failure);
        case VERSION_DISABLED ->
            new ApiError(
                409,
                "version_disabled",
                "the key version of ring '"
                    + ring
                    + "' this needs is disabled; an administrator can enable it again",
                failure);
        case VERSION_DESTROYED ->
            new ApiError(
                409,
                "version_destroyed",
                "the key version of ring '"
                    + ring
                    + "' this needs was destroyed; what it protected cannot be recovered",
                failure);
        case ILLEGAL_STATE ->
            new ApiError(
                409,
                "illegal_state",
                "not allowed in the version's current state (e.g. disabling the primary, or"
                    + " destroying a version that is not disabled)",
                failure);
        case INVALID_ARGUMENT ->
            ApiError.invalid("the request is malformed for ring '" + ring + "'");
        case STORE_FAILED ->
            new ApiError(
                503,
                "store_unavailable",
                "the key store cannot be read or written now; retry later",
                failure);
        case MASTER_KEY_INVALID, UNSEAL_FAILED ->
            new ApiError(
                500,
                "server_error",
                "internal error; quote request id " + RequestIds.current().orElse("-"),
                failure);
      };
    }

    void respond(ServerResponse res) {
      HttpResponses.error(res, Status.create(status), code, description);
    }
  }
}
