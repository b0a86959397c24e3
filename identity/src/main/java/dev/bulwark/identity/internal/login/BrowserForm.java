package dev.bulwark.identity.internal.login;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a browser request: an {@code application/x-www-form-urlencoded} query or form
 * body. Parameters other than {@code resource} must not repeat (RFC 6749 §3.1); a repeated one is
 * remembered so that the endpoint can refuse it with the error its protocol asks for.
 */
final class BrowserForm {
  private final Map<String, List<String>> values;
  private final Optional<String> malformed;

  private BrowserForm(Map<String, List<String>> values, Optional<String> malformed) {
    this.values = values;
    this.malformed = malformed;
  }

  static BrowserForm parse(String encoded) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (encoded.length() > 16_000) {
      return new BrowserForm(values, Optional.of("the request is too long"));
    }
    for (String pair : encoded.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        return new BrowserForm(Map.of(), Optional.of("the request is not valid form encoding"));
      }
    }
    return new BrowserForm(values, Optional.empty());
  }

  /** Why the encoding is unusable, if it is. */
  Optional<String> malformed() {
    return malformed;
  }

  /** The first non-empty value of {@code name}; empty values count as absent (RFC 6749 §3.1). */
  Optional<String> first(String name) {
    List<String> list = values.get(name);
    return list == null || list.get(0).isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /** Every non-empty value of {@code name}. */
  List<String> all(String name) {
    return values.getOrDefault(name, List.of()).stream().filter(v -> !v.isEmpty()).toList();
  }

  /** Whether {@code name} was sent more than once. */
  boolean repeated(String name) {
    return values.getOrDefault(name, List.of()).size() > 1;
  }

  /** The first parameter, other than the repeatable ones, that was sent more than once. */
  Optional<String> firstRepeated(List<String> repeatable) {
    return values.entrySet().stream()
        .filter(e -> e.getValue().size() > 1 && !repeatable.contains(e.getKey()))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** {@code value} made safe for a log line or an error page: printable ASCII, at most 40. */
  static String printable(String value) {
    return dev.bulwark.identity.internal.FormBody.printable(value);
  }
}
