package dev.bulwark.identity.internal;

import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) and the JWKS (RFC 7517 §5). Only what the
 * provider really supports is advertised.
 */
public final class Discovery {
  private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final List<String> AUTH_METHODS =
      List.of(
          "client_secret_basic",
          "client_secret_post",
          "private_key_jwt",
          "tls_client_auth",
          "none");

  private final Supplier<String> issuer;
  private final SigningKeyRing keys;

  public Discovery(Supplier<String> issuer, SigningKeyRing keys) {
    this.issuer = issuer;
    this.keys = keys;
  }

  public void metadata(ServerRequest req, ServerResponse res) {
    String iss = issuer.get();
    ObjectNode body = Json.object().put("issuer", iss);
    body.put("authorization_endpoint", iss + "/authorize");
    body.put("token_endpoint", iss + "/token");
    body.put("userinfo_endpoint", iss + "/userinfo");
    body.put("introspection_endpoint", iss + "/introspect");
    body.put("revocation_endpoint", iss + "/revoke");
    body.put("end_session_endpoint", iss + "/logout");
    body.put("jwks_uri", iss + "/jwks");
    body.putArray("response_types_supported").add("code");
    body.putArray("response_modes_supported").add("query");
    body.putArray("grant_types_supported")
        .add("authorization_code")
        .add("refresh_token")
        .add("client_credentials")
        .add(TOKEN_EXCHANGE);
    body.putArray("code_challenge_methods_supported").add("S256");
    ArrayNode authMethods = body.putArray("token_endpoint_auth_methods_supported");
    AUTH_METHODS.forEach(authMethods::add);
    ArrayNode introspectionAuth = body.putArray("introspection_endpoint_auth_methods_supported");
    AUTH_METHODS.stream().filter(m -> !m.equals("none")).forEach(introspectionAuth::add);
    ArrayNode revocationAuth = body.putArray("revocation_endpoint_auth_methods_supported");
    AUTH_METHODS.forEach(revocationAuth::add);
    ArrayNode assertionAlgs = body.putArray("token_endpoint_auth_signing_alg_values_supported");
    List.of("RS256", "PS256", "ES256", "EdDSA").forEach(assertionAlgs::add);
    body.putArray("subject_types_supported").add("public");
    ArrayNode algs = body.putArray("id_token_signing_alg_values_supported");
    SigningKeyRing.ALGORITHMS.forEach(algorithm -> algs.add(algorithm.getName()));
    body.putArray("scopes_supported").add("openid").add("profile").add("email");
    ArrayNode claims = body.putArray("claims_supported");
    List.of(
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "azp",
            "sid",
            "at_hash",
            "name",
            "preferred_username",
            "email",
            "roles",
            "groups")
        .forEach(claims::add);
    body.putArray("acr_values_supported").add(UserSession.ACR_PASSWORD).add(UserSession.ACR_MFA);
    body.put("tls_client_certificate_bound_access_tokens", true);
    body.put("authorization_response_iss_parameter_supported", true);
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
