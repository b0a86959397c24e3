package dev.bulwark.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.sdk.policy.ServiceAuthorizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferencePoliciesTest {
  @ParameterizedTest
  @ValueSource(strings = {"payments", "profiles"})
  void shippedPoliciesValidateAgainstTheirSchemaAndGoLive(String service) {
    try (ServiceAuthorizer authorizer = ReferencePolicies.authorizer(service, event -> {})) {
      assertThat(authorizer.version()).contains("classpath:policies/" + service + "/");
    }
  }
}
