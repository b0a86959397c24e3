package dev.bulwark.identity.internal.login;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;

/**
 * Server-rendered pages with the headers every page of the provider carries: a strict Content
 * Security Policy (inline style and script only with the page's nonce), no framing (clickjacking),
 * and no caching (the pages carry CSRF tokens and personal data).
 */
public final class Html {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Html() {}

  /** {@code text} escaped for HTML element content and double-quoted attribute values. */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A hidden form field. */
  public static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
  }

  /**
   * Sends a page. {@code formTargets} are the origins a form on the page may end up at besides this
   * one: a form posted here may be answered by a redirect to the client, and CSP {@code
   * form-action} also governs where such redirects go.
   */
  public static void send(
      ServerResponse res,
      Status status,
      String title,
      String body,
      Collection<String> formTargets) {
    String nonce = nonce();
    String formAction =
        "'self'" + (formTargets.isEmpty() ? "" : " " + String.join(" ", formTargets));
    res.status(status);
    res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8"));
    res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store"));
    res.header(HeaderValues.create(HeaderNames.PRAGMA, "no-cache"));
    res.header(HeaderValues.create(HeaderNames.create("X-Frame-Options"), "DENY"));
    res.header(HeaderValues.create(HeaderNames.create("X-Content-Type-Options"), "nosniff"));
    res.header(HeaderValues.create(HeaderNames.create("Referrer-Policy"), "no-referrer"));
    res.header(
        HeaderValues.create(
            HeaderNames.create("Content-Security-Policy"),
            "default-src 'none'; img-src data:; style-src 'nonce-"
                + nonce
                + "'; script-src 'nonce-"
                + nonce
                + "'; connect-src 'self'; form-action "
                + formAction
                + "; frame-ancestors 'none'; base-uri 'none'"));
    String page =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>"
            + escape(title)
            + "</title><style nonce=\""
            + nonce
            + "\">body{font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em}"
            + "label,input,button{display:block;margin:.4em 0}.error{color:#a00}"
            + "code{font-size:1.1em}</style></head><body><h1>"
            + escape(title)
            + "</h1>\n"
            + body.replace("{{nonce}}", nonce)
            + "\n</body></html>\n";
    res.send(page.getBytes(StandardCharsets.UTF_8));
  }

  /** An error page; nothing redirects, because the request could not be trusted to say where. */
  public static void error(ServerResponse res, Status status, String title, String message) {
    send(res, status, title, "<p class=\"error\">" + escape(message) + "</p>", java.util.List.of());
  }

  private static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
