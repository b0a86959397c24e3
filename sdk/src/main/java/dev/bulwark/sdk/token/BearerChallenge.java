package dev.bulwark.sdk.token;

/**
 * Values of the {@code WWW-Authenticate} response header for bearer-token failures (RFC 6750 §3).
 */
public final class BearerChallenge {
  private BearerChallenge() {}

  /** No credentials were sent: a bare challenge with no error code (RFC 6750 §3.1). */
  public static String missingToken(String realm) {
    return "Bearer realm=\"" + quoted(realm) + "\"";
  }

  /** The token was rejected: {@code error="invalid_token"} with a description. */
  public static String invalidToken(String realm, String description) {
    return "Bearer realm=\""
        + quoted(realm)
        + "\", error=\"invalid_token\", error_description=\""
        + quoted(description)
        + "\"";
  }

  /** The token lacks a scope the request needs: {@code error="insufficient_scope"}. */
  public static String insufficientScope(String realm, String scope) {
    return "Bearer realm=\""
        + quoted(realm)
        + "\", error=\"insufficient_scope\", scope=\""
        + quoted(scope)
        + "\"";
  }

  // RFC 6750 §3: the values are quoted-strings restricted to printable ASCII without '"' and '\'.
  private static String quoted(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    return out.toString();
  }
}
