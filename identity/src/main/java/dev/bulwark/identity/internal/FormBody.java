package dev.bulwark.identity.internal;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@code application/x-www-form-urlencoded} request body as OAuth uses it: parameters that must
 * not repeat (RFC 6749 §3.2) and a few that may ({@code resource}, RFC 8707 §2; {@code audience},
 * RFC 8693 §2.1).
 */
public final class FormBody {
  private static final Set<String> REPEATABLE = Set.of("resource", "audience");

  private final Map<String, List<String>> values;

  private FormBody(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Reads the form body of a POST to an OAuth endpoint.
   *
   * @throws OAuthError with {@code invalid_request} for another media type, no body, or a malformed
   *     one
   */
  static FormBody read(ServerRequest req) {
    String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/x-www-form-urlencoded")) {
      throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded");
    }
    if (!req.content().hasEntity()) {
      throw OAuthError.invalidRequest(
          "the request has no body; send the parameters in it, not in the query");
    }
    return parse(req.content().as(byte[].class));
  }

  /**
   * Parses {@code body}.
   *
   * @throws OAuthError with {@code invalid_request} for malformed encoding or a repeated parameter
   */
  static FormBody parse(byte[] body) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    if (!text.isEmpty()) {
      for (String pair : text.split("&", -1)) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
        if (!list.isEmpty() && !REPEATABLE.contains(name)) {
          throw OAuthError.invalidRequest("parameter '" + printable(name) + "' is repeated");
        }
        list.add(value);
      }
    }
    return new FormBody(values);
  }

  /** The single value of {@code name}; empty values count as absent (RFC 6749 §3.1). */
  Optional<String> first(String name) {
    List<String> list = values.get(name);
    return list == null || list.get(0).isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /** Every non-empty value of {@code name}; empty values count as absent (RFC 6749 §3.1). */
  List<String> all(String name) {
    return values.getOrDefault(name, List.of()).stream().filter(v -> !v.isEmpty()).toList();
  }

  private static String decode(String encoded) {
    try {
      return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw OAuthError.invalidRequest("the request body is not valid form encoding");
    }
  }

  public static String printable(String value) {
    String cleaned = value.replaceAll("[^\\x20-\\x7e]", "?");
    return cleaned.length() > 40 ? cleaned.substring(0, 40) + "..." : cleaned;
  }
}
