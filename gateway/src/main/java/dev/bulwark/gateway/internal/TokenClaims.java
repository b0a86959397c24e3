package dev.bulwark.gateway.internal;

import dev.bulwark.gateway.policy.CallerClaims;
import dev.bulwark.runtime.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@code roles}, {@code groups} and {@code amr} from the payload of a bearer token that the
 * verifier has already accepted. The verified {@code AccessToken} does not carry these claims, so
 * they are read from the same compact token the signature was checked over; a token that was not
 * verified must never reach this class.
 */
public final class TokenClaims {
  private TokenClaims() {}

  /** The claims of the token in {@code authorization} ({@code Bearer <token>}). */
  public static CallerClaims of(Optional<String> authorization) {
    if (authorization.isEmpty() || authorization.get().length() < 8) {
      return CallerClaims.none();
    }
    // Extracted exactly as BearerAuthenticator does, so these are the bytes that were verified.
    String[] parts = authorization.get().substring(7).trim().split("\\.", -1);
    if (parts.length != 3) {
      return CallerClaims.none();
    }
    JsonNode payload;
    try {
      payload =
          Json.MAPPER.readTree(
              new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | JacksonException e) {
      return CallerClaims.none();
    }
    if (payload == null || !payload.isObject()) {
      return CallerClaims.none();
    }
    return new CallerClaims(
        strings(payload.get("roles")), strings(payload.get("groups")), strings(payload.get("amr")));
  }

  // An array of strings; a single string counts as one value; anything else is no value.
  private static Set<String> strings(JsonNode node) {
    Set<String> values = new HashSet<>();
    if (node == null) {
      return values;
    }
    if (node.isString()) {
      values.add(node.asString());
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (element.isString()) {
          values.add(element.asString());
        }
      }
    }
    return values;
  }
}
