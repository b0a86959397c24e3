package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Why a request is refused before it reaches the upstream. Whoever answers a refusal closes the
 * connection afterwards: the body may be unread, and nothing after it can be trusted to start a new
 * request (RFC 9112 §9.6, request smuggling).
 *
 * @param status the HTTP status: 400, 404, 405, 413, 414, 415 or 431
 * @param error the OAuth-style error code (RFC 6749 §5.2 shape), e.g. {@code invalid_request}
 * @param description what is wrong, safe to show the client: it never repeats a header value
 * @param reason a short stable tag for metrics and logs, e.g. {@code body_too_large}
 * @param allow for a 405, the methods the resource does take (RFC 9110 §15.5.6); else empty
 */
public record Refusal(
    int status, String error, String description, String reason, Set<String> allow) {
  private static final Set<Integer> STATUSES = Set.of(400, 404, 405, 413, 414, 415, 431);

  public Refusal {
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException(
          "status: " + status + " (expected: one of " + STATUSES + ")");
    }
    requireNonNull(error, "error");
    requireNonNull(description, "description");
    requireNonNull(reason, "reason");
    allow = Set.copyOf(requireNonNull(allow, "allow"));
  }

  Refusal(int status, String error, String description, String reason) {
    this(status, error, description, reason, Set.of());
  }
}
