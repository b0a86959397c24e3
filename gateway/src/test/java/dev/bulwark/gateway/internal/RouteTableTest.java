package dev.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final RouteTable<String> table =
      RouteTable.of(
          List.of(
              new RouteTable.Entry<>(Optional.empty(), "/payments", "payments"),
              new RouteTable.Entry<>(Optional.empty(), "/payments/refunds", "refunds"),
              new RouteTable.Entry<>(Optional.of("Admin.Example.com"), "/payments", "admin"),
              new RouteTable.Entry<>(Optional.empty(), "/profiles", "profiles")));

  @Test
  void theLongestPrefixWins() {
    assertThat(table.match(Optional.empty(), "/payments/refunds/7")).contains("refunds");
    assertThat(table.match(Optional.empty(), "/payments/7")).contains("payments");
    assertThat(table.match(Optional.empty(), "/payments")).contains("payments");
  }

  @Test
  void aPrefixMatchesWholeSegmentsOnly() {
    assertThat(table.match(Optional.empty(), "/paymentsx")).isEmpty();
    assertThat(table.match(Optional.empty(), "/payments/refundsx")).contains("payments");
    assertThat(table.match(Optional.empty(), "/")).isEmpty();
  }

  @Test
  void aRouteForTheRequestsHostComesFirstWhateverTheCaseOrPort() {
    assertThat(table.match(Optional.of("admin.example.COM:8443"), "/payments/refunds"))
        .contains("admin");
    assertThat(table.match(Optional.of("admin.example.com."), "/payments")).contains("admin");
    assertThat(table.match(Optional.of("api.example.com"), "/payments")).contains("payments");
    assertThat(table.match(Optional.of("[::1]:8443"), "/profiles/me")).contains("profiles");
  }

  @Test
  void refusesTwoRoutesForTheSameHostAndPrefix() {
    assertThatThrownBy(
            () ->
                RouteTable.of(
                    List.of(
                        new RouteTable.Entry<>(Optional.empty(), "/a", "one"),
                        new RouteTable.Entry<>(Optional.empty(), "/a", "two"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/a");
  }
}
