package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.examples.payments.PaymentsService;
import dev.bulwark.runtime.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BulwarkConfigTest {
  @Test
  void identityStoreWhenNotSetThenH2FilesInTheDataDirectory() {
    BulwarkConfig config = BulwarkConfig.load(Optional.empty(), Map.of());

    assertThat(config.identityStore().database(java.nio.file.Path.of("/data/identity")).jdbcUrl())
        .startsWith("jdbc:h2:file:/data/identity/identity");
  }

  @Test
  void identityStoreWhenPostgresqlUrlSetThenPostgresql() {
    BulwarkConfig config =
        BulwarkConfig.load(
            Optional.empty(),
            Map.of("BULWARK_IDENTITY_POSTGRESQL_URL", "jdbc:postgresql://db:5432/identity"));

    assertThat(config.identityStore().database(java.nio.file.Path.of("/unused")).jdbcUrl())
        .isEqualTo("jdbc:postgresql://db:5432/identity");
  }

  @Test
  void identityStoreWhenNotAPostgresqlUrlThenRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                BulwarkConfig.load(
                    Optional.empty(),
                    Map.of("BULWARK_IDENTITY_POSTGRESQL_URL", "jdbc:mysql://db/identity")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("identity.postgresql_url");
  }

  @Test
  void servicesWhenNothingIsSetThenDefaultLimitAndFiveSecondPolls() {
    BulwarkConfig.ServicesConfig services =
        BulwarkConfig.load(Optional.empty(), Map.of()).services();

    assertThat(services.refundLimit()).isEqualTo(PaymentsService.DEFAULT_REFUND_LIMIT_CENTS);
    assertThat(services.policyPollInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void refundLimitWhenSetInTheEnvironmentThenUsed() {
    BulwarkConfig config =
        BulwarkConfig.load(
            Optional.empty(),
            Map.of(
                "BULWARK_PAYMENTS_REFUND_LIMIT", "2500",
                "BULWARK_SERVICES_POLICY_POLL_INTERVAL", "300ms"));

    assertThat(config.services().refundLimit()).isEqualTo(2500);
    assertThat(config.services().policyPollInterval()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void refundLimitWhenNegativeOrNotAWholeNumberOrTooLargeThenRefusedNamingTheKey() {
    for (String bad : new String[] {"-1", "12.50", "100000001"}) {
      assertThatThrownBy(
              () ->
                  BulwarkConfig.load(
                      Optional.empty(), Map.of("BULWARK_PAYMENTS_REFUND_LIMIT", bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("payments.refund_limit");
    }
  }

  @Test
  void servicePollIntervalWhenBelowTheMinimumThenRefused() {
    assertThatThrownBy(
            () ->
                BulwarkConfig.load(
                    Optional.empty(), Map.of("BULWARK_SERVICES_POLICY_POLL_INTERVAL", "10ms")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.policy_poll_interval");
  }
}
