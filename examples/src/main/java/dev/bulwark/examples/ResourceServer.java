package dev.bulwark.examples;

import static java.util.Objects.requireNonNull;

import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.token.AccessToken;
import dev.bulwark.sdk.token.BearerAuthenticator;
import dev.bulwark.sdk.token.BearerAuthenticator.Authentication;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What a service does with every request before its own code runs: verify the caller's token itself
 * (zero trust — having passed the gateway proves nothing here), then check the scope each operation
 * needs.
 */
public final class ResourceServer {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceServer.class);
  private static final Set<String> OPEN_PATHS = Set.of("/health", "/metrics");

  private final BearerAuthenticator authenticator;

  public ResourceServer(BearerAuthenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  /** A routing filter: authenticates every request but the health and metrics endpoints. */
  public void authenticate(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    if (OPEN_PATHS.contains(req.path().path())) {
      chain.proceed();
      return;
    }
    switch (authenticator.authenticate(req.headers().first(HeaderNames.AUTHORIZATION))) {
      case Authentication.Authenticated ok -> {
        req.context().register(AccessToken.class, ok.token());
        chain.proceed();
      }
      case Authentication.Challenged challenge -> {
        LOG.info(
            "refused {} {}: {}",
            req.prologue().method().text(),
            req.path().path(),
            challenge.reason().map(Enum::name).orElse("NO_TOKEN"));
        res.header(challenge.responseHeader().getKey(), challenge.responseHeader().getValue());
        HttpResponses.error(
            res, Status.create(challenge.status()), challenge.error(), challenge.description());
      }
    }
  }

  /**
   * The caller's token if it has {@code scope}; otherwise answers 403 {@code insufficient_scope}
   * and returns empty.
   */
  public Optional<AccessToken> requireScope(ServerRequest req, ServerResponse res, String scope) {
    AccessToken token =
        req.context()
            .get(AccessToken.class, AccessToken.class)
            .orElseThrow(
                () -> new IllegalStateException("request reached a handler unauthenticated"));
    if (token.hasScope(scope)) {
      return Optional.of(token);
    }
    res.header(HeaderNames.WWW_AUTHENTICATE, authenticator.insufficientScope(scope));
    HttpResponses.error(
        res, Status.FORBIDDEN_403, "insufficient_scope", "this operation needs scope " + scope);
    return Optional.empty();
  }

  /**
   * Whether the policies allowed the request; otherwise answers 403 {@code forbidden}. The reason
   * (which policies, on what basis) is logged and audited by the authorizer, not told the caller.
   */
  public static boolean permitted(ServerResponse res, Decision decision) {
    if (decision.allowed()) {
      return true;
    }
    HttpResponses.error(
        res, Status.FORBIDDEN_403, "forbidden", "the access policy does not allow this request");
    return false;
  }

  /** The request's JSON object body; otherwise answers 415 or 400 and returns empty. */
  public static Optional<JsonNode> jsonBody(ServerRequest req, ServerResponse res) {
    String contentType =
        req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
    if (!contentType.startsWith("application/json")) {
      HttpResponses.error(
          res,
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "invalid_request",
          "the body must be application/json");
      return Optional.empty();
    }
    if (!req.content().hasEntity()) {
      HttpResponses.error(
          res, Status.BAD_REQUEST_400, "invalid_request", "the request has no body");
      return Optional.empty();
    }
    try {
      JsonNode body = Json.MAPPER.readTree(req.content().as(byte[].class));
      if (body == null || !body.isObject()) {
        HttpResponses.error(
            res, Status.BAD_REQUEST_400, "invalid_request", "the body must be a JSON object");
        return Optional.empty();
      }
      return Optional.of(body);
    } catch (JacksonException e) {
      HttpResponses.error(
          res, Status.BAD_REQUEST_400, "invalid_request", "the body is not valid JSON");
      return Optional.empty();
    }
  }

  /** Answers 400 {@code invalid_request} naming the field at fault. */
  public static void invalidField(ServerResponse res, String field, String expected) {
    HttpResponses.error(res, Status.BAD_REQUEST_400, "invalid_request", field + ": " + expected);
  }

  /** Answers 404. */
  public static void notFound(ServerResponse res, String what) {
    HttpResponses.error(res, Status.NOT_FOUND_404, "not_found", what + " not found");
  }
}
