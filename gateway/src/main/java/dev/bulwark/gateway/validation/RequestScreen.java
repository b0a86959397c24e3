package dev.bulwark.gateway.validation;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a request against one route's limits and, if the route has one, its OpenAPI contract,
 * before anything is forwarded. Checks run cheapest and most dangerous first: message framing, URI
 * length, header section, content type, body size, JSON shape, then the contract.
 */
public final class RequestScreen {
  private static final Pattern DOUBLE_ENCODED = Pattern.compile("%[0-9A-Fa-f]{2}");

  private final RequestLimits limits;
  private final Optional<OpenApiContract> contract;

  /** A screen applying {@code limits}, then {@code contract} if present. */
  public RequestScreen(RequestLimits limits, Optional<OpenApiContract> contract) {
    this.limits = requireNonNull(limits, "limits");
    this.contract = requireNonNull(contract, "contract");
  }

  public RequestLimits limits() {
    return limits;
  }

  /**
   * The first rule {@code request} breaks, or empty if it may be forwarded: {@link #checkHead},
   * then the body's size and JSON shape, then the OpenAPI contract.
   */
  public Optional<Refusal> check(InboundRequest request) {
    return checkHead(request).or(() -> checkAfterHead(request));
  }

  /**
   * The first rule {@code request} breaks beyond those {@link #checkHead} checks: the body's size
   * and JSON shape, then the OpenAPI contract. For a request whose head has already passed.
   */
  public Optional<Refusal> checkAfterHead(InboundRequest request) {
    return bodySize(request)
        .or(() -> jsonShape(request))
        .or(() -> contract.flatMap(c -> c.check(request)));
  }

  /**
   * The first rule the request line and headers break, without the body: framing, URI length,
   * header section, content type, and a declared Content-Length over the body limit. A caller runs
   * this before reading the body, so a request refused here is never buffered.
   */
  public Optional<Refusal> checkHead(InboundRequest request) {
    return framing(request)
        .or(() -> doubleEncoding(request))
        .or(() -> uriLength(request))
        .or(() -> headerSection(request))
        .or(() -> contentType(request))
        .or(() -> declaredBodySize(request));
  }

  // RFC 9112 §6.1 and §6.3: a message whose length two parties could read differently is
  // refused outright, since that disagreement is what request smuggling exploits.
  private static Optional<Refusal> framing(InboundRequest request) {
    List<String> contentLength = request.header("content-length");
    List<String> transferEncoding = request.header("transfer-encoding");
    if (!contentLength.isEmpty() && !transferEncoding.isEmpty()) {
      return framingRefusal("framing_cl_and_te", "both Content-Length and Transfer-Encoding");
    }
    if (contentLength.size() > 1
        || (contentLength.size() == 1 && !contentLength.getFirst().matches("[0-9]{1,18}"))) {
      return framingRefusal(
          "framing_content_length", "Content-Length must be one decimal number, once");
    }
    if (transferEncoding.size() > 1
        || (transferEncoding.size() == 1
            && !"chunked".equals(transferEncoding.getFirst().toLowerCase(Locale.ROOT)))) {
      return framingRefusal(
          "framing_transfer_encoding", "Transfer-Encoding must be exactly 'chunked', once");
    }
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      if (!isToken(header.getKey())) {
        return framingRefusal("framing_header_name", "a header name is not an RFC 9110 token");
      }
      for (String value : header.getValue()) {
        if (!isFieldValue(value)) {
          // The value is not repeated: it may hold a credential.
          return framingRefusal(
              "framing_header_value", "header " + header.getKey() + " holds a control character");
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Refusal> framingRefusal(String reason, String what) {
    return Optional.of(new Refusal(400, "invalid_request", "malformed request: " + what, reason));
  }

  // RFC 9110 §5.6.2: token = 1*tchar.
  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphanumeric =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  // RFC 9110 §5.5: field values are visible characters, SP and HTAB (and obs-text); CR, LF, NUL
  // and other controls are refused, not stripped.
  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  // A path still holding an escape once decoded (%252e -> %2e) means something else to any server
  // that decodes twice; no legitimate client needs it.
  private static Optional<Refusal> doubleEncoding(InboundRequest request) {
    String path = request.canonicalPath();
    if (path.indexOf('%') >= 0 && DOUBLE_ENCODED.matcher(path).find()) {
      return Optional.of(
          new Refusal(
              400,
              "invalid_request",
              "the path holds a percent-encoded escape",
              "path_double_encoded"));
    }
    return Optional.empty();
  }

  private Optional<Refusal> uriLength(InboundRequest request) {
    int length = request.rawPath().length() + request.rawQuery().map(q -> q.length() + 1).orElse(0);
    if (length > limits.maxUriLength()) {
      return Optional.of(
          new Refusal(
              414,
              "uri_too_long",
              "the request URI is longer than " + limits.maxUriLength() + " characters",
              "uri_too_long"));
    }
    return Optional.empty();
  }

  private Optional<Refusal> headerSection(InboundRequest request) {
    int count = 0;
    long bytes = 0;
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      for (String value : header.getValue()) {
        count++;
        bytes += header.getKey().length() + value.length();
      }
    }
    if (count > limits.maxHeaderCount()) {
      return Optional.of(
          new Refusal(
              431,
              "headers_too_large",
              "more than " + limits.maxHeaderCount() + " header fields",
              "too_many_headers"));
    }
    if (bytes > limits.maxHeaderBytes()) {
      return Optional.of(
          new Refusal(
              431,
              "headers_too_large",
              "the header section is larger than " + limits.maxHeaderBytes() + " bytes",
              "header_section_too_large"));
    }
    return Optional.empty();
  }

  private Optional<Refusal> contentType(InboundRequest request) {
    if (!request.hasBody() || limits.contentTypes().isEmpty()) {
      return Optional.empty();
    }
    Optional<String> type = mediaType(request);
    if (type.isEmpty()) {
      return Optional.of(
          new Refusal(
              415,
              "unsupported_media_type",
              "a request with a body needs a Content-Type, one of " + sorted(limits),
              "content_type_missing"));
    }
    if (!limits.contentTypes().contains(type.get())) {
      return Optional.of(
          new Refusal(
              415,
              "unsupported_media_type",
              "the Content-Type is not accepted here (expected: one of " + sorted(limits) + ")",
              "content_type_not_allowed"));
    }
    return Optional.empty();
  }

  private static List<String> sorted(RequestLimits limits) {
    return limits.contentTypes().stream().sorted().toList();
  }

  // The media type without parameters, lower case; more than one Content-Type is none at all.
  static Optional<String> mediaType(InboundRequest request) {
    List<String> values = request.header("content-type");
    if (values.size() != 1) {
      return Optional.empty();
    }
    String type = values.getFirst().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return type.isEmpty() ? Optional.empty() : Optional.of(type);
  }

  // Runs after framing, so Content-Length is one decimal number if present.
  private Optional<Refusal> declaredBodySize(InboundRequest request) {
    List<String> declared = request.header("content-length");
    return declared.isEmpty() ? Optional.empty() : tooLarge(Long.parseLong(declared.getFirst()));
  }

  private Optional<Refusal> bodySize(InboundRequest request) {
    return tooLarge(request.body().map(b -> b.length).orElse(0));
  }

  private Optional<Refusal> tooLarge(long size) {
    if (size > limits.maxBodyBytes()) {
      return Optional.of(
          new Refusal(
              413,
              "request_too_large",
              "the body is larger than " + limits.maxBodyBytes() + " bytes",
              "body_too_large"));
    }
    return Optional.empty();
  }

  private Optional<Refusal> jsonShape(InboundRequest request) {
    Optional<byte[]> read = request.body().filter(b -> b.length > 0);
    if (read.isEmpty() || !mediaType(request).map(JsonShape::isJson).orElse(false)) {
      return Optional.empty();
    }
    byte[] body = read.get();
    if (body.length > limits.maxJsonBytes()) {
      return Optional.of(
          new Refusal(
              413,
              "request_too_large",
              "the JSON body is larger than " + limits.maxJsonBytes() + " bytes",
              "json_too_large"));
    }
    return JsonShape.check(body, limits.maxJsonDepth());
  }
}
