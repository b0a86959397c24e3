package dev.bulwark.identity.internal;

import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) and the JWKS (RFC 7517 §5). Only what the
 * provider really supports is advertised.
 */
public final class Discovery {
  private final Supplier<String> issuer;
  private final SigningKeyRing keys;

  public Discovery(Supplier<String> issuer, SigningKeyRing keys) {
    this.issuer = issuer;
    this.keys = keys;
  }

  public void metadata(ServerRequest req, ServerResponse res) {
    String iss = issuer.get();
    ObjectNode body = Json.object().put("issuer", iss);
    body.put("token_endpoint", iss + "/token");
    body.put("jwks_uri", iss + "/jwks");
    body.putArray("grant_types_supported").add("client_credentials");
    body.putArray("token_endpoint_auth_methods_supported")
        .add("client_secret_basic")
        .add("client_secret_post");
    body.putArray("response_types_supported");
    body.putArray("subject_types_supported").add("public");
    tools.jackson.databind.node.ArrayNode algorithms =
        body.putArray("id_token_signing_alg_values_supported");
    SigningKeyRing.ALGORITHMS.forEach(algorithm -> algorithms.add(algorithm.getName()));
    body.put("authorization_response_iss_parameter_supported", false);
    HttpResponses.json(res, Status.OK_200, body);
  }

  public void jwks(ServerRequest req, ServerResponse res) {
    res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/jwk-set+json"));
    // Public keys change only on rotation, and a next key is published a whole rotation period
    // before it signs: a cache far shorter than that period spares the issuer and still has
    // every verifier holding the next key in time.
    res.header(
        HeaderValues.create(
            HeaderNames.CACHE_CONTROL, "public, max-age=" + keys.cacheMaxAge().toSeconds()));
    res.send(keys.publicKeys().toString(true).getBytes(StandardCharsets.UTF_8));
  }
}
