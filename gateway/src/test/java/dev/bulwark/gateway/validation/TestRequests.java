package dev.bulwark.gateway.validation;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds {@link InboundRequest}s for tests. */
final class TestRequests {
  private String method = "GET";
  private String path = "/payments";
  private Optional<String> query = Optional.empty();
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private Optional<byte[]> body = Optional.empty();

  private TestRequests() {
    headers.put("host", List.of("gateway.example"));
  }

  static TestRequests get(String path) {
    TestRequests request = new TestRequests();
    request.path = path;
    return request;
  }

  static TestRequests post(String path, String contentType, String body) {
    TestRequests request = get(path);
    request.method = "POST";
    request.header("content-type", contentType);
    request.header(
        "content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
    request.body = Optional.of(body.getBytes(StandardCharsets.UTF_8));
    return request;
  }

  TestRequests method(String method) {
    this.method = method;
    return this;
  }

  TestRequests query(String query) {
    this.query = Optional.of(query);
    return this;
  }

  TestRequests header(String name, String... values) {
    headers.put(name, List.of(values));
    return this;
  }

  TestRequests body(byte[] body) {
    this.body = Optional.of(body);
    return this;
  }

  InboundRequest build() {
    return new InboundRequest(method, path, query, path, headers, body);
  }
}
