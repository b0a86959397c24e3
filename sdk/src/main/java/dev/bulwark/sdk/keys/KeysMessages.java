package dev.bulwark.sdk.keys;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.bulwark.sdk.keys.KeysClientException.Code;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON of the keys service's API (docs/keys.md), both ways. */
final class KeysMessages {
  // An error description is one line from the service; more than this is not a description.
  private static final int MAX_DESCRIPTION = 300;

  private KeysMessages() {}

  /** A request body of base64 members; {@code null} values are left out. */
  static String request(String... namesAndValues) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        object.put(namesAndValues[i], namesAndValues[i + 1]);
      }
    }
    return JSONObjectUtils.toJSONString(object);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** A parsed success answer. */
  static Map<String, Object> parse(String json, String call) {
    try {
      return JSONObjectUtils.parse(json);
    } catch (ParseException e) {
      throw invalid(call, "not a JSON object");
    }
  }

  /** The base64 member {@code name} of an answer, decoded. */
  static byte[] bytes(Map<String, Object> answer, String name, String call) {
    try {
      String value = JSONObjectUtils.getString(answer, name);
      if (value == null) {
        throw invalid(call, "the member \"" + name + "\" is missing");
      }
      return Base64.getDecoder().decode(value);
    } catch (ParseException | IllegalArgumentException e) {
      throw invalid(call, "the member \"" + name + "\" is not base64");
    }
  }

  /** The positive whole-number member {@code name} of an answer. */
  static int version(Map<String, Object> answer, String name, String call) {
    Object value = answer.get(name);
    if (!(value instanceof Number number)
        || number.longValue() < 1
        || number.longValue() > Integer.MAX_VALUE
        || number.doubleValue() != number.longValue()) {
      throw invalid(call, "the member \"" + name + "\" is not a version number");
    }
    return number.intValue();
  }

  /**
   * The failure an answer other than 2xx means: {@code {"error":..,"error_description":..}} with
   * the status codes of the API. The service's code decides where it is specific; the status
   * otherwise.
   */
  static KeysClientException failure(int status, String body, String call) {
    String error = "";
    String description = "";
    try {
      Map<String, Object> object = JSONObjectUtils.parse(body);
      error = oneLine(JSONObjectUtils.getString(object, "error"));
      description = oneLine(JSONObjectUtils.getString(object, "error_description"));
    } catch (ParseException e) {
      // Not the API's error JSON (a proxy's page, say): the status alone has to do.
    }
    String detail =
        call
            + " answered "
            + status
            + (error.isEmpty() ? "" : " " + error)
            + (description.isEmpty() ? "" : ": " + description);
    return new KeysClientException(
        code(status, error), detail, status, error.isEmpty() ? null : error);
  }

  static Code code(int status, String error) {
    return switch (error) {
      case "version_disabled" -> Code.VERSION_DISABLED;
      case "version_destroyed" -> Code.VERSION_DESTROYED;
      case "decrypt_failed" -> Code.DECRYPT_FAILED;
      case "ring_not_found", "version_not_found" -> Code.NOT_FOUND;
      case "forbidden", "forbidden_peer" -> Code.FORBIDDEN;
      case "client_certificate_required" -> Code.UNAUTHENTICATED;
      default ->
          switch (status) {
            case 400, 405, 406, 411, 415 -> Code.INVALID_REQUEST;
            case 401 -> Code.UNAUTHENTICATED;
            case 403 -> Code.FORBIDDEN;
            case 404 -> Code.NOT_FOUND;
            case 409 -> Code.CONFLICT;
            case 413 -> Code.TOO_LARGE;
            case 422 -> Code.DECRYPT_FAILED;
            default -> status == 429 || status >= 500 ? Code.UNAVAILABLE : Code.INVALID_RESPONSE;
          };
    };
  }

  private static String oneLine(String value) {
    if (value == null) {
      return "";
    }
    String line = value.replaceAll("\\p{Cntrl}", " ").strip();
    return line.length() > MAX_DESCRIPTION ? line.substring(0, MAX_DESCRIPTION) + "…" : line;
  }

  private static KeysClientException invalid(String call, String why) {
    return new KeysClientException(
        Code.INVALID_RESPONSE, call + ": the keys service's answer is unusable: " + why);
  }
}
