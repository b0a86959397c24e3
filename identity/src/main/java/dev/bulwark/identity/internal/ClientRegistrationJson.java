package dev.bulwark.identity.internal;

import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientRegistration.ClientAuthMethod;
import dev.bulwark.identity.ClientRegistration.TokenFormat;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.runtime.http.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client registration as JSON, in the member names of OAuth dynamic client registration (RFC 7591
 * §2) where one exists: the form it is stored in and shown by the admin API.
 */
public final class ClientRegistrationJson {
  private ClientRegistrationJson() {}

  public static ObjectNode toJson(ClientRegistration client) {
    ObjectNode json = Json.object();
    json.put("client_id", client.clientId());
    json.put("client_name", client.displayName());
    strings(json.putArray("scopes"), client.scopes());
    strings(json.putArray("audiences"), client.audiences());
    strings(json.putArray("grant_types"), client.grantTypes());
    ArrayNode redirects = json.putArray("redirect_uris");
    client.redirectUris().forEach(uri -> redirects.add(uri.toString()));
    ArrayNode logout = json.putArray("post_logout_redirect_uris");
    client.postLogoutRedirectUris().forEach(uri -> logout.add(uri.toString()));
    json.put("token_endpoint_auth_method", client.authMethod().protocolName());
    json.put("access_token_format", client.tokenFormat().name().toLowerCase(Locale.ROOT));
    json.put("signing_algorithm", client.signingAlgorithm());
    client.jwks().ifPresent(jwks -> json.put("jwks", jwks));
    client.tlsSubjectDn().ifPresent(dn -> json.put("tls_client_auth_subject_dn", dn));
    strings(json.putArray("exchange_audiences"), client.exchangeAudiences());
    strings(json.putArray("roles"), client.roles());
    json.put("require_mfa", client.requireMfa());
    return json;
  }

  /**
   * Reads a registration written by {@link #toJson}; absent members take the defaults of {@link
   * ClientRegistration#builder}, so the admin API can take partial documents.
   *
   * @throws IdentityException CLIENT_INVALID naming the bad member
   */
  public static ClientRegistration fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw invalid("the client must be a JSON object");
    }
    ClientRegistration.Builder builder =
        ClientRegistration.builder(
            text(json, "client_id").orElseThrow(() -> invalid("client_id: missing")),
            text(json, "client_name").orElse(text(json, "client_id").orElseThrow()));
    builder.scopes(strings(json, "scopes"));
    builder.audiences(strings(json, "audiences"));
    if (json.has("grant_types")) {
      builder.grantTypes(strings(json, "grant_types").toArray(String[]::new));
    }
    builder.redirectUris(uris(json, "redirect_uris"));
    builder.postLogoutRedirectUris(uris(json, "post_logout_redirect_uris"));
    text(json, "token_endpoint_auth_method")
        .ifPresent(m -> builder.authMethod(ClientAuthMethod.fromProtocolName(m)));
    text(json, "access_token_format").ifPresent(f -> builder.tokenFormat(tokenFormat(f)));
    text(json, "signing_algorithm").ifPresent(builder::signingAlgorithm);
    text(json, "jwks").ifPresent(builder::jwks);
    if (json.path("jwks").isObject()) {
      builder.jwks(json.get("jwks").toString());
    }
    text(json, "tls_client_auth_subject_dn").ifPresent(builder::tlsSubjectDn);
    builder.exchangeAudiences(strings(json, "exchange_audiences"));
    builder.roles(strings(json, "roles"));
    JsonNode mfa = json.path("require_mfa");
    if (!mfa.isMissingNode() && !mfa.isBoolean()) {
      throw invalid("require_mfa: expected true or false");
    }
    builder.requireMfa(mfa.asBoolean(false));
    return builder.build();
  }

  /** Parses stored or posted JSON text. */
  public static ClientRegistration fromJson(String text) {
    try {
      return fromJson(Json.MAPPER.readTree(text));
    } catch (JacksonException e) {
      throw invalid("the client is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static TokenFormat tokenFormat(String name) {
    try {
      return TokenFormat.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw invalid("access_token_format: '" + name + "' (expected: jwt or opaque)");
    }
  }

  private static void strings(ArrayNode array, Collection<String> values) {
    new TreeSet<>(values).forEach(array::add);
  }

  private static Optional<String> text(JsonNode json, String key) {
    JsonNode value = json.path(key);
    if (value.isMissingNode() || value.isNull() || value.isObject()) {
      return Optional.empty();
    }
    if (!value.isString()) {
      throw invalid(key + ": expected a string");
    }
    return Optional.of(value.asString());
  }

  private static Set<String> strings(JsonNode json, String key) {
    JsonNode value = json.path(key);
    if (value.isMissingNode() || value.isNull()) {
      return Set.of();
    }
    if (!value.isArray()) {
      throw invalid(key + ": expected an array of strings");
    }
    Set<String> result = new LinkedHashSet<>();
    for (JsonNode element : value) {
      if (!element.isString()) {
        throw invalid(key + ": expected an array of strings");
      }
      result.add(element.asString());
    }
    return result;
  }

  private static URI[] uris(JsonNode json, String key) {
    List<URI> result = new ArrayList<>();
    for (String text : strings(json, key)) {
      try {
        result.add(URI.create(text));
      } catch (IllegalArgumentException e) {
        throw invalid(key + ": '" + text + "' is not a URI");
      }
    }
    return result.toArray(URI[]::new);
  }

  private static IdentityException invalid(String message) {
    return new IdentityException(IdentityException.Code.CLIENT_INVALID, message);
  }
}
