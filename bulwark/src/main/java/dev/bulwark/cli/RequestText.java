package dev.bulwark.cli;

import dev.bulwark.platform.PlatformException;
import dev.bulwark.policy.Entities;
import dev.bulwark.policy.PolicyException;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.runtime.http.Json;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an authorization request as a user types them: entity uids in Cedar syntax ({@code
 * User::"alice"}, {@code Ns::Photo::"x"}) and the context in Cedar's JSON value format.
 */
final class RequestText {
  private static final Pattern UID =
      Pattern.compile(
          "([_a-zA-Z][_a-zA-Z0-9]*(?:::[_a-zA-Z][_a-zA-Z0-9]*)*)::\"(.*)\"", Pattern.DOTALL);
  private static final String EXAMPLE = "e.g. User::\"alice\"";
  // A stand-in entity whose attributes are the context: Cedar's entities JSON and a context share
  // one value format (with __entity and __extn escapes), and the engine publishes only the former.
  private static final String CONTEXT_HOLDER = "entities[0].attrs";

  private RequestText() {}

  /** {@code Type::"id"} as an entity uid; {@code option} names where it came from, for errors. */
  static EntityUid entityUid(String option, String text) {
    Matcher m = UID.matcher(text.strip());
    if (!m.matches()) {
      throw new PlatformException(
          option + " " + text + " is not an entity uid", "write it as Type::\"id\", " + EXAMPLE);
    }
    return EntityUid.of(m.group(1), unescape(option, text, m.group(2)));
  }

  // Cedar string escapes: \" \' \\ \n \r \t \0 and \\u{hex}.
  private static String unescape(String option, String text, String quoted) {
    StringBuilder out = new StringBuilder(quoted.length());
    for (int i = 0; i < quoted.length(); i++) {
      char c = quoted.charAt(i);
      if (c == '"') {
        throw new PlatformException(
            option + " " + text + " has an unescaped quote in its id", "write \\\" inside the id");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i == quoted.length()) {
        throw new PlatformException(
            option + " " + text + " ends in a lone backslash", "write \\\\ for a backslash");
      }
      char e = quoted.charAt(i);
      switch (e) {
        case '"', '\'', '\\' -> out.append(e);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case '0' -> out.append('\0');
        case 'u' -> {
          int close = quoted.indexOf('}', i);
          if (close < 0 || i + 1 >= quoted.length() || quoted.charAt(i + 1) != '{') {
            throw new PlatformException(
                option + " " + text + " has a bad \\u escape", "write it as \\u{1F600}");
          }
          try {
            out.appendCodePoint(Integer.parseInt(quoted.substring(i + 2, close), 16));
          } catch (IllegalArgumentException x) {
            throw new PlatformException(
                option + " " + text + " has a bad \\u escape", "write it as \\u{1F600}");
          }
          i = close;
        }
        default ->
            throw new PlatformException(
                option + " " + text + " has an unknown escape \\" + e,
                "use \\\" \\' \\\\ \\n \\r \\t \\0 or \\u{hex}");
      }
    }
    return out.toString();
  }

  /** A context: a JSON object in Cedar's value format; {@code where} names it for errors. */
  static RecordValue context(String where, String json) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new PlatformException(
          where + " is not JSON: " + e.getOriginalMessage(),
          "pass a JSON object, e.g. {\"mfa\": true}");
    }
    return context(where, node);
  }

  /** A context already read as JSON (from a test file). */
  static RecordValue context(String where, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return RecordValue.EMPTY;
    }
    if (!node.isObject()) {
      throw new PlatformException(
          where + " is not a JSON object", "pass a JSON object, e.g. {\"mfa\": true}");
    }
    String holder =
        "[{\"uid\":{\"type\":\"Context\",\"id\":\"\"},\"attrs\":"
            + Json.MAPPER.writeValueAsString(node)
            + ",\"parents\":[]}]";
    try {
      return new RecordValue(Entities.fromJson(holder).all().iterator().next().attributes());
    } catch (PolicyException e) {
      throw new PlatformException(
          e.getMessage().replace(CONTEXT_HOLDER, where),
          "write entities as {\"__entity\": {\"type\": ..., \"id\": ...}} and extension values as"
              + " {\"__extn\": {\"fn\": ..., \"arg\": ...}}");
    }
  }
}
