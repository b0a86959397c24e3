package dev.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.gateway.auth.TrustedIssuer;
import dev.bulwark.gateway.ratelimit.LimitKey;
import dev.bulwark.gateway.ratelimit.StoreFailure;
import dev.bulwark.runtime.config.ConfigException;
import dev.bulwark.runtime.config.ConfigSection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayRoutesConfigTest {
  private static final TrustedIssuer PLATFORM =
      TrustedIssuer.ofJwts(
          "https://idp.example", URI.create("https://idp.example/jwks"), Set.of("ES256"));

  @TempDir Path dir;

  private GatewayRoutes read(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("bulwark.yaml");
    Files.writeString(file, yaml);
    Files.copy(
        Path.of("src/test/resources/openapi/echo.yaml"),
        dir.resolve("echo.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    ConfigSection root = ConfigSection.load(file, env);
    GatewayRoutes routes =
        GatewayRoutesConfig.read(
            root.section("gateway"),
            GatewaySettings.defaults(),
            new GatewayRoutesConfig.Context(
                dir,
                name ->
                    name.equals("payments")
                        ? Optional.of(URI.create("https://127.0.0.1:9445"))
                        : Optional.empty(),
                List.of(PLATFORM),
                List.of(),
                env));
    root.rejectUnknownKeys();
    return routes;
  }

  @Test
  void readsEveryPartOfARoute() throws Exception {
    GatewayRoutes routes =
        read(
            """
            gateway:
              issuers:
                - issuer: https://keycloak.example/realms/shop
                  jwks_uri: https://keycloak.example/realms/shop/certs
                  algorithms: [RS256, PS256]
              routes:
                - name: orders
                  host: API.example.com
                  path_prefix: /orders
                  upstreams: [https://10.0.0.5:8443, https://10.0.0.6:8443]
                  audience: urn:shop:orders
                  exchange_for: urn:shop:ledger
                  timeout: 3s
                  retries: 2
                  circuit_breaker: {failures: 7, open_for: 20s}
                  health: {eject_after: 2, eject_for: 5s}
                  max_concurrent: 64
                  rate_limits:
                    - name: per-client
                      key: client
                      rate: 10/s
                      burst: 20
                      on_store_failure: deny
                    - name: per-address
                      key: address
                      rate: 600/m
                  limits:
                    max_body_bytes: 4096
                    content_types: [application/json]
                  openapi: echo.yaml
                  cors:
                    allowed_origins: [https://shop.example.com]
                - name: payments
                  path_prefix: /payments
                  service: payments
                  audience: urn:bulwark:payments
            """,
            Map.of());

    assertThat(routes.issuers())
        .extracting(TrustedIssuer::issuer)
        .containsExactly("https://idp.example", "https://keycloak.example/realms/shop");
    RouteSpec orders = routes.routes().getFirst();
    assertThat(orders.host()).hasValue("api.example.com");
    assertThat(orders.upstream().targets()).hasSize(2);
    assertThat(orders.upstream().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(orders.upstream().maxRetries()).isEqualTo(2);
    assertThat(orders.upstream().failureThreshold()).isEqualTo(7);
    assertThat(orders.upstream().ejectFor()).isEqualTo(Duration.ofSeconds(5));
    assertThat(orders.exchangeFor()).hasValue("urn:shop:ledger");
    assertThat(orders.maxConcurrent()).isEqualTo(64);
    assertThat(orders.rateLimits().getFirst().key()).isEqualTo(LimitKey.CLIENT);
    assertThat(orders.rateLimits().getFirst().onStoreFailure()).isEqualTo(StoreFailure.DENY);
    assertThat(orders.rateLimits().get(1).bucket().burst())
        .as("without a burst, one period's worth")
        .isEqualTo(600);
    assertThat(orders.limits().maxBodyBytes()).isEqualTo(4096);
    assertThat(orders.limits().contentTypes()).containsExactly("application/json");
    assertThat(orders.contract()).isPresent();
    assertThat(orders.cors().orElseThrow().allowedOrigins())
        .containsExactly("https://shop.example.com");
    assertThat(routes.routes().get(1).route().upstream())
        .isEqualTo(URI.create("https://127.0.0.1:9445"));
  }

  @Test
  void aBadValueIsRefusedWithTheKeyThatHoldsIt() {
    assertThatThrownBy(
            () ->
                read(
                    """
                    gateway:
                      routes:
                        - name: payments
                          path_prefix: /payments
                          service: payments
                          audience: urn:bulwark:payments
                          rate_limits:
                            - name: tight
                              rate: 3/fortnight
                    """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gateway.routes[0].rate_limits[0].rate");
  }

  @Test
  void refusesUnknownKeysUnknownServicesAndTwoKindsOfUpstream() {
    String route =
        """
        gateway:
          routes:
            - name: payments
              path_prefix: /payments
              audience: urn:bulwark:payments
        """;
    assertThatThrownBy(() -> read(route + "      service: payments\n      retires: 2\n", Map.of()))
        .hasMessageContaining("'gateway.routes[0].retires'");
    assertThatThrownBy(() -> read(route + "      service: ledger\n", Map.of()))
        .hasMessageContaining("gateway.routes[0].service");
    assertThatThrownBy(
            () ->
                read(
                    route + "      service: payments\n      upstreams: [https://10.0.0.5]\n",
                    Map.of()))
        .hasMessageContaining("exactly one of 'upstreams'");
    assertThatThrownBy(() -> read(route + "      upstreams: [http://10.0.0.5]\n", Map.of()))
        .hasMessageContaining("gateway.routes[0].upstreams");
  }

  @Test
  void anIntrospectionSecretComesFromTheNamedVariableAndMustBeSet() throws Exception {
    String yaml =
        """
        gateway:
          issuers:
            - issuer: https://as.example
              introspection_endpoint: https://as.example/introspect
              introspection_client_id: gateway
              introspection_client_secret_env: GATEWAY_SECRET
        """;
    assertThatThrownBy(() -> read(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("GATEWAY_SECRET")
        .hasMessageContaining("not set");

    GatewayRoutes routes =
        read(
            yaml + "  routes:\n    - {name: p, path_prefix: /p, service: payments, audience: a}\n",
            Map.of("GATEWAY_SECRET", "s3cret-value"));
    TrustedIssuer issuer = routes.issuers().get(1);
    assertThat(issuer.introspection()).isPresent();
    assertThat(issuer.toString()).doesNotContain("s3cret-value");
  }
}
