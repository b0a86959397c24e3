package dev.bulwark.runtime.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;
import tools.jackson.databind.node.ObjectNode;

/** Writes the JSON bodies every Bulwark endpoint answers with. */
public final class HttpResponses {
  public static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
  private static final io.helidon.http.Header NO_STORE =
      HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

  private HttpResponses() {}

  /** A JSON body; never cached, since Bulwark's answers are per caller. */
  public static void json(ServerResponse res, Status status, Object body) {
    res.status(status);
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    res.header(NO_STORE);
    res.send(Json.bytes(body));
  }

  /**
   * An error in the OAuth 2.0 shape ({@code error}, {@code error_description}; RFC 6749 §5.2),
   * which Bulwark uses for every endpoint so clients parse one format.
   */
  public static void error(ServerResponse res, Status status, String error, String description) {
    ObjectNode body = Json.object().put("error", error).put("error_description", description);
    json(res, status, body);
  }

  /**
   * A handler answering 405 with {@code Allow: allowed}, for an endpoint's other methods (RFC 9110
   * section 15.5.6 requires the header).
   */
  public static Handler methodNotAllowed(String allowed) {
    return (req, res) -> {
      res.header(HeaderNames.ALLOW, allowed);
      error(
          res,
          Status.METHOD_NOT_ALLOWED_405,
          "method_not_allowed",
          "this endpoint takes " + allowed);
    };
  }
}
