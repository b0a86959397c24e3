package dev.bulwark.platform.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.PeerWorkload;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.runtime.tls.TlsContexts.ClientAuth;
import dev.bulwark.sdk.workload.SpiffeId;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The policy store service (docs/policy.md): {@code GET /v1/policies/{name}} for the one workload
 * that reads each set (and the operator), {@code PUT /v1/policies/{name}} for the operator alone,
 * over mutual TLS, callers known by their SPIFFE ID. A PUT is validated before it goes live and
 * becomes a {@code policy.update} audit event whether it is accepted, rejected or refused.
 */
public final class PolicyServer implements AutoCloseable {
  /** The largest request body: a policy set and its schema. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(PolicyServer.class);
  private static final String COMPONENT = "policy";

  private final HttpListener listener;

  private PolicyServer(HttpListener listener) {
    this.listener = listener;
  }

  /**
   * Serves {@code store} on {@code listener}, whose TLS must ask for client certificates.
   *
   * @param readers for each set, the workload that may read it
   * @param operator the workload that may read and change every set
   */
  public static PolicyServer start(
      PolicyStore store,
      Map<String, SpiffeId> readers,
      SpiffeId operator,
      AuditSink audit,
      HttpListener.Builder listener,
      Clock clock) {
    requireNonNull(store, "store");
    requireNonNull(operator, "operator");
    requireNonNull(audit, "audit");
    requireNonNull(clock, "clock");
    if (listener.clientAuth() == ClientAuth.NONE) {
      throw new IllegalArgumentException(
          "listener: TLS does not ask for client certificates (expected: ClientAuth.REQUIRED; the"
              + " policy store knows callers only by their workload certificate)");
    }
    Api api = new Api(store, Map.copyOf(readers), operator, audit, clock);
    HttpListener started =
        listener.audit(audit).maxPayloadSize(MAX_BODY_BYTES).routes(api::routes).start();
    LOG.info("policy store serving on {}", started.url());
    return new PolicyServer(started);
  }

  /** The base URL. */
  public URI url() {
    return listener.url();
  }

  @Override
  public void close() {
    listener.close();
  }

  private record Api(
      PolicyStore store,
      Map<String, SpiffeId> readers,
      SpiffeId operator,
      AuditSink audit,
      Clock clock) {

    void routes(HttpRouting.Builder routes) {
      routes
          .get("/v1/policies/{name}", this::read)
          .put("/v1/policies/{name}", this::write)
          .any("/v1/policies/{name}", HttpResponses.methodNotAllowed("GET, PUT"))
          .any(
              (req, res) ->
                  HttpResponses.error(
                      res,
                      Status.NOT_FOUND_404,
                      "not_found",
                      "no such endpoint on the policy store"));
    }

    private void read(ServerRequest req, ServerResponse res) {
      String name = req.path().pathParameters().get("name");
      Optional<SpiffeId> caller = PeerWorkload.of(req.remotePeer());
      if (caller.isEmpty()) {
        HttpResponses.error(
            res,
            Status.UNAUTHORIZED_401,
            "client_certificate_required",
            "a workload certificate is required");
        return;
      }
      boolean allowed = caller.get().equals(operator) || caller.get().equals(readers.get(name));
      if (!allowed) {
        HttpResponses.error(
            res, Status.FORBIDDEN_403, "forbidden", caller.get() + " may not read this policy set");
        return;
      }
      Optional<PolicyStore.StoredSet> set = store.get(name);
      if (set.isEmpty()) {
        HttpResponses.error(res, Status.NOT_FOUND_404, "not_found", "no policy set '" + name + "'");
        return;
      }
      String etag = set.get().etag();
      res.header(HeaderNames.ETAG, etag);
      if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> matches(v, etag)).orElse(false)) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.status(Status.NOT_MODIFIED_304).send();
        return;
      }
      ObjectNode body =
          Json.object()
              .put("name", name)
              .put("version", set.get().version())
              .put("policies", set.get().policies());
      set.get().schema().ifPresent(s -> body.put("schema", s));
      HttpResponses.json(res, Status.OK_200, body);
    }

    // RFC 9110 §13.1.2: a list of entity tags, or *.
    private static boolean matches(String ifNoneMatch, String etag) {
      for (String tag : ifNoneMatch.split(",")) {
        String t = tag.trim();
        if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
          return true;
        }
      }
      return false;
    }

    private void write(ServerRequest req, ServerResponse res) {
      String name = req.path().pathParameters().get("name");
      Optional<SpiffeId> caller = PeerWorkload.of(req.remotePeer());
      String who = caller.map(SpiffeId::toString).orElse("-");
      if (caller.isEmpty() || !caller.get().equals(operator)) {
        record(req, who, name, AuditEvent.Outcome.DENIED, Optional.empty(), "not the operator");
        HttpResponses.error(
            res, Status.FORBIDDEN_403, "forbidden", "only the operator may change policy sets");
        return;
      }
      if (!PolicyStore.NAME.matcher(name).matches()) {
        HttpResponses.error(
            res,
            Status.BAD_REQUEST_400,
            "invalid_request",
            "name: not a policy set name (expected: " + PolicyStore.NAME + ")");
        return;
      }
      String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
      if (!contentType
          .split(";", 2)[0]
          .trim()
          .toLowerCase(Locale.ROOT)
          .equals("application/json")) {
        HttpResponses.error(
            res,
            Status.UNSUPPORTED_MEDIA_TYPE_415,
            "unsupported_media_type",
            "the body must be application/json");
        return;
      }
      JsonNode body;
      try {
        body =
            req.content().hasEntity() ? Json.MAPPER.readTree(req.content().as(byte[].class)) : null;
      } catch (JacksonException e) {
        body = null;
      }
      if (body == null
          || !body.path("policies").isString()
          || !(body.path("schema").isMissingNode()
              || body.path("schema").isNull()
              || body.path("schema").isString())) {
        invalid(
            req,
            res,
            who,
            name,
            "the body must be {\"policies\": \"<Cedar>\", \"schema\": \"<optional cedarschema>\"}",
            List.of());
        return;
      }
      Optional<String> schema =
          body.path("schema").isString()
              ? Optional.of(body.path("schema").asString())
              : Optional.empty();
      PolicyStore.Accepted accepted;
      try {
        accepted = store.put(name, body.path("policies").asString(), schema);
      } catch (PolicyException e) {
        if (e.code() == PolicyException.Code.STORE_FAILED) {
          LOG.error("cannot store policy set {}: {}", name, e.getMessage());
          record(req, who, name, AuditEvent.Outcome.FAILURE, Optional.empty(), "store_failed");
          HttpResponses.error(
              res,
              Status.SERVICE_UNAVAILABLE_503,
              "store_unavailable",
              "the policy set could not be stored; the old version stays");
          return;
        }
        invalid(
            req,
            res,
            who,
            name,
            "the policy set is invalid; the live version is unchanged",
            List.of(e.code().name().toLowerCase(Locale.ROOT) + ": " + e.getMessage()));
        return;
      }
      long version = accepted.set().version();
      record(req, who, name, AuditEvent.Outcome.SUCCESS, Optional.of(version), "accepted");
      ObjectNode answer = Json.object().put("version", version);
      // Valid but worth the operator's eye, e.g. a policy no request the schema allows can match.
      if (!accepted.warnings().isEmpty()) {
        accepted.warnings().forEach(answer.putArray("warnings")::add);
      }
      HttpResponses.json(res, Status.OK_200, answer);
    }

    private void invalid(
        ServerRequest req,
        ServerResponse res,
        String who,
        String name,
        String message,
        List<String> details) {
      record(
          req,
          who,
          name,
          AuditEvent.Outcome.FAILURE,
          Optional.empty(),
          "rejected: " + String.join("; ", details));
      ObjectNode body = Json.object().put("error", "invalid_policy").put("message", message);
      details.forEach(body.putArray("details")::add);
      HttpResponses.json(res, Status.BAD_REQUEST_400, body);
    }

    private void record(
        ServerRequest req,
        String who,
        String name,
        AuditEvent.Outcome outcome,
        Optional<Long> version,
        String reason) {
      AuditEvent.Builder event =
          AuditEvent.builder(COMPONENT, "policy.update", outcome)
              .time(clock.instant())
              .workload(who)
              .resource("policy/" + name)
              .attribute("store", name)
              .reason(reason.length() > 1000 ? reason.substring(0, 1000) + "..." : reason)
              .sourceAddress(PeerAddress.of(req.remotePeer()))
              .requestId(RequestIds.current().orElse("-"));
      version.ifPresent(v -> event.attribute("version", Long.toString(v)));
      try {
        audit.emit(event.build());
      } catch (RuntimeException e) {
        LOG.error("cannot emit audit event policy.update {}: {}", outcome, e.toString());
      }
    }
  }
}
