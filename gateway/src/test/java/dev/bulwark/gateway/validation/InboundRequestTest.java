package dev.bulwark.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class InboundRequestTest {
  private static InboundRequest received(String... namesAndValues) {
    return InboundRequest.received(
        "POST",
        "/payments",
        Optional.of("a=1"),
        "/payments",
        field -> {
          for (int i = 0; i < namesAndValues.length; i += 2) {
            field.accept(namesAndValues[i], namesAndValues[i + 1]);
          }
        });
  }

  @Test
  void receivedGathersFieldsByLowerCasedNameInTheOrderReceived() {
    InboundRequest request =
        received(
            "Host", "gateway.example",
            "Accept", "text/plain",
            "X-Trace", "1",
            "accept", "application/json",
            "ACCEPT", "*/*");

    assertThat(request.headers())
        .containsExactly(
            Map.entry("host", List.of("gateway.example")),
            Map.entry("accept", List.of("text/plain", "application/json", "*/*")),
            Map.entry("x-trace", List.of("1")));
    assertThat(request.body()).isEmpty();
    assertThat(request.rawQuery()).contains("a=1");
  }

  @Test
  void withBodyKeepsEverythingElseAndSharesTheHeaders() {
    InboundRequest head = received("Content-Type", "application/json", "Host", "h");
    byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    InboundRequest whole = head.withBody(Optional.of(body));

    assertThat(whole.body()).containsSame(body);
    assertThat(whole.headers()).isSameAs(head.headers());
    assertThat(whole.withBody(Optional.empty())).isEqualTo(head);
  }

  @Test
  void receivedIsTheRequestTheConstructorMakesOfTheSameHeaders() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("host", new ArrayList<>(List.of("gateway.example")));
    headers.put("accept", new ArrayList<>(List.of("text/plain", "*/*")));

    InboundRequest received =
        received("Host", "gateway.example", "Accept", "text/plain", "accept", "*/*");
    InboundRequest constructed =
        new InboundRequest(
            "POST", "/payments", Optional.of("a=1"), "/payments", headers, Optional.empty());

    assertThat(received).isEqualTo(constructed).hasSameHashCodeAs(constructed);
    assertThat(received.toString()).isEqualTo(constructed.toString());
    assertThat(received.header("accept")).isEqualTo(constructed.header("accept"));
  }

  @Test
  void headersCannotBeChanged() {
    InboundRequest request = received("Accept", "text/plain", "accept", "*/*", "Host", "h");

    assertThatThrownBy(() -> request.headers().put("x", List.of("y")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.headers().remove("host"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.headers().computeIfAbsent("host", n -> List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.header("accept").add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> request.header("host").add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aFieldHandedOverAfterTheRequestWasMadeIsRefused() {
    AtomicReference<BiConsumer<String, String>> kept = new AtomicReference<>();
    InboundRequest request =
        InboundRequest.received(
            "GET",
            "/",
            Optional.empty(),
            "/",
            field -> {
              field.accept("Host", "h");
              kept.set(field);
            });

    assertThatThrownBy(() -> kept.get().accept("Host", "evil"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(request.headers()).containsExactly(Map.entry("host", List.of("h")));
  }

  @Test
  void theSameRequestWithItsBodySharesItsHeaders() {
    InboundRequest head = received("Host", "h", "Content-Length", "2");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

    InboundRequest whole =
        new InboundRequest(
            head.method(),
            head.rawPath(),
            head.rawQuery(),
            head.canonicalPath(),
            head.headers(),
            Optional.of(body));

    assertThat(whole.headers()).isSameAs(head.headers());
    assertThat(whole.hasBody()).isTrue();
  }

  @Test
  void theConstructorCopiesAMapItIsGiven() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    List<String> values = new ArrayList<>(List.of("h"));
    headers.put("host", values);

    InboundRequest request =
        new InboundRequest("GET", "/", Optional.empty(), "/", headers, Optional.empty());
    headers.put("x-added", List.of("later"));
    values.add("later");

    assertThat(request.headers()).containsExactly(Map.entry("host", List.of("h")));
  }

  @Test
  void theConstructorRefusesUpperCaseNamesAndNulls() {
    assertThatThrownBy(
            () ->
                new InboundRequest(
                    "GET",
                    "/",
                    Optional.empty(),
                    "/",
                    Map.of("Host", List.of("h")),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Host");
    assertThatThrownBy(
            () -> new InboundRequest("GET", "/", Optional.empty(), "/", null, Optional.empty()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("headers");
    assertThatThrownBy(() -> InboundRequest.received(null, "/", Optional.empty(), "/", f -> {}))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("method");
    assertThatThrownBy(() -> InboundRequest.received("GET", "/", Optional.empty(), "/", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fields");
  }
}
