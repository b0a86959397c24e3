package dev.bulwark.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.bulwark.ca.CaException;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.http.PeerAddress;
import dev.bulwark.runtime.http.RequestIds;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.SpiffeId;
import dev.bulwark.sdk.workload.TrustBundle;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CA's HTTP API (docs/workload-identity.md, "HTTP API of the CA"). Callers that need a client
 * certificate have had it verified at the handshake already; handlers check it again, since a
 * revocation may have landed since the session began.
 */
public final class CaApi {
  /** The largest request body the API reads; a CSR and a token fit many times over. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final String PEM_CHAIN = "application/pem-certificate-chain";
  private static final Pattern SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");
  private static final String ATTESTATION_FAILED =
      "the attestation does not prove an identity here (unknown, used or expired join token, or"
          + " an invalid service-account token)";

  private final CaOperations operations;

  public CaApi(CaOperations operations) {
    this.operations = requireNonNull(operations, "operations");
  }

  /** Adds the API's routes, and answers 404 and 405 in the API's error format. */
  public void routes(HttpRouting.Builder routes) {
    routes
        .get("/v1/bundle", this::bundle)
        .any("/v1/bundle", HttpResponses.methodNotAllowed("GET"))
        .post("/v1/svid", this::issue)
        .any("/v1/svid", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/svid/renew", this::renew)
        .any("/v1/svid/renew", HttpResponses.methodNotAllowed("POST"))
        .get("/v1/denylist", this::denyList)
        .any("/v1/denylist", HttpResponses.methodNotAllowed("GET"))
        .post("/v1/admin/join-tokens", this::createJoinToken)
        .any("/v1/admin/join-tokens", HttpResponses.methodNotAllowed("POST"))
        .post("/v1/admin/revocations", this::revoke)
        .get("/v1/admin/revocations", this::revocations)
        .any("/v1/admin/revocations", HttpResponses.methodNotAllowed("GET, POST"))
        .any(
            (req, res) ->
                HttpResponses.error(
                    res, Status.NOT_FOUND_404, "not_found", "no such endpoint on the CA"));
  }

  private void bundle(ServerRequest req, ServerResponse res) {
    TrustBundle bundle = operations.bundle();
    Optional<String> format = req.query().first("format").asOptional();
    if (format.isEmpty() || format.get().equals("json")) {
      HttpResponses.json(res, Status.OK_200, Json.MAPPER.readTree(bundle.toJson()));
    } else if (format.get().equals("pem")) {
      res.status(Status.OK_200);
      res.header(HeaderNames.CONTENT_TYPE, PEM_CHAIN);
      res.send(bundle.toPem().getBytes(StandardCharsets.US_ASCII));
    } else {
      HttpResponses.error(
          res, Status.BAD_REQUEST_400, "invalid_request", "format: expected json or pem");
    }
  }

  private void issue(ServerRequest req, ServerResponse res) {
    Caller caller = caller(req, List.of());
    ObjectNode body;
    byte[] csr;
    String type;
    String token;
    try {
      body = jsonBody(req);
      csr = csr(body);
      JsonNode attestation = body.get("attestation");
      if (attestation == null || !attestation.isObject()) {
        throw invalid("attestation: missing (expected an object with type and token)");
      }
      type = text(attestation, "type");
      token = text(attestation, "token");
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.ISSUE, caller, e);
      respond(res, e);
      return;
    }
    try {
      CaOperations.Issued issued =
          switch (type) {
            case "join_token" -> operations.issueWithJoinToken(csr, token, caller);
            case "k8s_psat" -> operations.issueWithServiceAccountToken(csr, token, caller);
            default -> {
              CaException unknown = invalid("attestation.type: expected join_token or k8s_psat");
              operations.refusedRequest(CaAudit.ISSUE, caller, unknown);
              throw unknown;
            }
          };
      respondSvid(res, issued);
    } catch (CaException e) {
      respond(res, e);
    }
  }

  private void renew(ServerRequest req, ServerResponse res) {
    List<X509Certificate> peer = peerChain(req);
    Caller caller = caller(req, peer);
    byte[] csr;
    try {
      if (peer.isEmpty()) {
        throw new CaException(
            CaException.Code.CLIENT_CERTIFICATE_REQUIRED,
            "renewal requires the current SVID as TLS client certificate");
      }
      csr = csr(jsonBody(req));
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.RENEW, caller, e);
      respond(res, e);
      return;
    }
    try {
      respondSvid(res, operations.renew(csr, peer, caller));
    } catch (CaException e) {
      respond(res, e);
    }
  }

  private void denyList(ServerRequest req, ServerResponse res) {
    List<X509Certificate> peer = peerChain(req);
    try {
      operations.verifiedPeer(peer);
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.READ_DENY_LIST, caller(req, peer), e);
      respond(res, e);
      return;
    }
    respondDenyList(res, Status.OK_200, operations.denyList());
  }

  private void createJoinToken(ServerRequest req, ServerResponse res) {
    List<X509Certificate> peer = peerChain(req);
    Caller caller = caller(req, peer);
    SvidNames names;
    Optional<Duration> ttl;
    try {
      operations.requireAdmin(peer);
      ObjectNode body = jsonBody(req);
      names = new SvidNames(spiffeId(text(body, "spiffe_id")), dnsNames(body), addresses(body));
      ttl = ttl(body);
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.JOIN_TOKEN, caller, e);
      respond(res, e);
      return;
    }
    try {
      var token = operations.createJoinToken(names, ttl, caller);
      ObjectNode answer =
          Json.object()
              .put("token", token.reveal())
              .put("spiffe_id", token.spiffeId().toString())
              .put("expires_at", token.expiresAt().toString());
      HttpResponses.json(res, Status.CREATED_201, answer);
    } catch (CaException e) {
      respond(res, e);
    }
  }

  private void revoke(ServerRequest req, ServerResponse res) {
    List<X509Certificate> peer = peerChain(req);
    Caller caller = caller(req, peer);
    RevocationStore.Target target;
    String reason;
    try {
      SpiffeId admin = operations.requireAdmin(peer);
      ObjectNode body = jsonBody(req);
      boolean byId = body.hasNonNull("spiffe_id");
      boolean bySerial = body.hasNonNull("serial");
      if (byId == bySerial) {
        throw invalid("expected exactly one of spiffe_id and serial");
      }
      target =
          byId
              ? new RevocationStore.Target.Identity(spiffeId(text(body, "spiffe_id")))
              : new RevocationStore.Target.Serial(serial(text(body, "serial")));
      reason =
          body.hasNonNull("reason")
              ? Printable.of(text(body, "reason"), 500)
              : "revoked by " + admin;
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.REVOKE, caller, e);
      respond(res, e);
      return;
    }
    try {
      respondDenyList(res, Status.OK_200, operations.revoke(target, reason, caller));
    } catch (CaException e) {
      respond(res, e);
    }
  }

  private void revocations(ServerRequest req, ServerResponse res) {
    List<X509Certificate> peer = peerChain(req);
    try {
      operations.requireAdmin(peer);
    } catch (CaException e) {
      operations.refusedRequest(CaAudit.READ_REVOCATIONS, caller(req, peer), e);
      respond(res, e);
      return;
    }
    respondDenyList(res, Status.OK_200, operations.refresh());
  }

  private static void respondSvid(ServerResponse res, CaOperations.Issued issued) {
    ObjectNode answer = Json.object().put("spiffe_id", issued.id().toString());
    ArrayNode chain = answer.putArray("chain");
    try {
      for (X509Certificate certificate : issued.chain()) {
        chain.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("an issued certificate cannot be encoded", e);
    }
    answer.put("expires_at", issued.chain().get(0).getNotAfter().toInstant().toString());
    answer.set("bundle", Json.MAPPER.readTree(issued.bundle().toJson()));
    HttpResponses.json(res, Status.OK_200, answer);
  }

  private static void respondDenyList(ServerResponse res, Status status, DenyList list) {
    HttpResponses.json(res, status, Json.MAPPER.readTree(list.toJson()));
  }

  private static void respond(ServerResponse res, CaException e) {
    switch (e.code()) {
      case CSR_INVALID, KEY_REFUSED, REQUEST_INVALID ->
          HttpResponses.error(res, Status.BAD_REQUEST_400, "invalid_request", e.getMessage());
      // Why an attestation failed goes to the audit log, not to whoever presented it.
      case ATTESTATION_FAILED ->
          HttpResponses.error(
              res, Status.UNAUTHORIZED_401, "attestation_failed", ATTESTATION_FAILED);
      case CLIENT_CERTIFICATE_REQUIRED ->
          HttpResponses.error(
              res, Status.UNAUTHORIZED_401, "client_certificate_required", e.getMessage());
      case DENIED -> HttpResponses.error(res, Status.FORBIDDEN_403, "denied", e.getMessage());
      case UNSUPPORTED_MEDIA_TYPE ->
          HttpResponses.error(
              res, Status.UNSUPPORTED_MEDIA_TYPE_415, "unsupported_media_type", e.getMessage());
      default ->
          HttpResponses.error(
              res,
              Status.INTERNAL_SERVER_ERROR_500,
              "server_error",
              "internal error; quote request id " + RequestIds.current().orElse("-"));
    }
  }

  private static ObjectNode jsonBody(ServerRequest req) {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new CaException(
          CaException.Code.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
    }
    if (!req.content().hasEntity()) {
      throw invalid("the request has no body");
    }
    byte[] bytes = req.content().as(byte[].class);
    if (bytes.length > MAX_BODY_BYTES) {
      throw invalid("the body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode parsed;
    try {
      parsed = Json.MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw invalid("the body is not valid JSON");
    }
    if (parsed == null || !parsed.isObject()) {
      throw invalid("the body must be a JSON object");
    }
    return (ObjectNode) parsed;
  }

  private static byte[] csr(JsonNode body) {
    try {
      return Base64.getDecoder().decode(text(body, "csr"));
    } catch (IllegalArgumentException e) {
      throw invalid("csr: not base64 (expected the DER PKCS#10 request in base64)");
    }
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    if (value == null || !value.isString() || value.asString().isEmpty()) {
      throw invalid(field + ": missing (expected a string)");
    }
    return value.asString();
  }

  private static SpiffeId spiffeId(String value) {
    try {
      return SpiffeId.parse(value);
    } catch (IllegalArgumentException e) {
      throw invalid("spiffe_id: " + Printable.of(e.getMessage(), 200));
    }
  }

  private static BigInteger serial(String value) {
    if (!SERIAL.matcher(value).matches()) {
      throw invalid("serial: expected 1-40 hexadecimal digits");
    }
    BigInteger serial = new BigInteger(value, 16);
    if (serial.signum() <= 0) {
      throw invalid("serial: expected a positive number");
    }
    return serial;
  }

  private static List<String> dnsNames(JsonNode body) {
    return strings(body, "dns_names");
  }

  private static List<InetAddress> addresses(JsonNode body) {
    List<InetAddress> addresses = new ArrayList<>();
    for (String literal : strings(body, "ip_addresses")) {
      try {
        // A literal only: a host name here would make the CA resolve names on a caller's behalf.
        addresses.add(InetAddress.ofLiteral(literal));
      } catch (IllegalArgumentException e) {
        throw invalid("ip_addresses: '" + Printable.of(literal, 64) + "' is not an IP address");
      }
    }
    return addresses;
  }

  private static List<String> strings(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray() || value.size() > 32) {
      throw invalid(field + ": expected an array of at most 32 strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode element : value) {
      if (!element.isString()) {
        throw invalid(field + ": expected an array of strings");
      }
      values.add(element.asString());
    }
    return values;
  }

  private static Optional<Duration> ttl(JsonNode body) {
    JsonNode value = body.get("ttl_seconds");
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid("ttl_seconds: expected a whole number of seconds");
    }
    return Optional.of(Duration.ofSeconds(value.asLong()));
  }

  private static List<X509Certificate> peerChain(ServerRequest req) {
    Optional<Certificate[]> certificates = req.remotePeer().tlsCertificates();
    if (certificates.isEmpty()) {
      return List.of();
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate certificate : Arrays.asList(certificates.get())) {
      if (certificate instanceof X509Certificate x509) {
        chain.add(x509);
      }
    }
    return chain;
  }

  private static Caller caller(ServerRequest req, List<X509Certificate> peer) {
    Optional<SpiffeId> id = Optional.empty();
    if (!peer.isEmpty()) {
      try {
        id = SpiffeId.fromCertificate(peer.get(0));
      } catch (IllegalArgumentException e) {
        id = Optional.empty();
      }
    }
    return new Caller(id, PeerAddress.of(req.remotePeer()), RequestIds.current());
  }

  private static CaException invalid(String message) {
    return new CaException(CaException.Code.REQUEST_INVALID, message);
  }
}
