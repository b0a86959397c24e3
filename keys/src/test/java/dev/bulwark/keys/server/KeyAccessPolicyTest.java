package dev.bulwark.keys.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.workload.SpiffeId;
import org.junit.jupiter.api.Test;

class KeyAccessPolicyTest {
  private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://acme/payments");
  private static final SpiffeId PAYMENTS_API = SpiffeId.parse("spiffe://acme/payments/api");
  private static final SpiffeId LOOKALIKE = SpiffeId.parse("spiffe://acme/payments-old");
  private static final SpiffeId OTHER_DOMAIN = SpiffeId.parse("spiffe://evil/payments/api");

  @Test
  void deniesEverythingWithoutRules() {
    KeyAccessPolicy.Decision decision =
        KeyAccessPolicy.builder().build().decide(PAYMENTS, "payments.cards", Operation.ENCRYPT);

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reason()).contains("no rule lets " + PAYMENTS + " ENCRYPT");
    assertThat(
            KeyAccessPolicy.denyAll()
                .decide(PAYMENTS, "payments.cards", Operation.DECRYPT)
                .allowed())
        .isFalse();
  }

  @Test
  void allowsOnlyTheOperationsARuleNames() {
    KeyAccessPolicy policy =
        KeyAccessPolicy.builder()
            .allow(Callers.exactly(PAYMENTS), "payments.cards", Operation.ENCRYPT)
            .build();

    assertThat(policy.decide(PAYMENTS, "payments.cards", Operation.ENCRYPT).allowed()).isTrue();
    assertThat(policy.decide(PAYMENTS, "payments.cards", Operation.DECRYPT).allowed()).isFalse();
    assertThat(policy.decide(PAYMENTS, "payments.cardsx", Operation.ENCRYPT).allowed()).isFalse();
  }

  @Test
  void exactCallerDoesNotCoverWorkloadsBelowIt() {
    KeyAccessPolicy policy =
        KeyAccessPolicy.builder().allow(Callers.exactly(PAYMENTS), "*", Operation.ENCRYPT).build();

    assertThat(policy.decide(PAYMENTS_API, "x", Operation.ENCRYPT).allowed()).isFalse();
  }

  @Test
  void callersUnderAPrefixMatchWholePathSegmentsOfTheSameTrustDomain() {
    KeyAccessPolicy policy =
        KeyAccessPolicy.builder()
            .allow(Callers.under("spiffe://acme/payments"), "*", Operation.DECRYPT)
            .build();

    assertThat(policy.decide(PAYMENTS, "r", Operation.DECRYPT).allowed()).isTrue();
    assertThat(policy.decide(PAYMENTS_API, "r", Operation.DECRYPT).allowed()).isTrue();
    assertThat(policy.decide(LOOKALIKE, "r", Operation.DECRYPT).allowed()).isFalse();
    assertThat(policy.decide(OTHER_DOMAIN, "r", Operation.DECRYPT).allowed()).isFalse();
  }

  @Test
  void ringPrefixCoversRingsStartingWithIt() {
    KeyAccessPolicy policy =
        KeyAccessPolicy.builder()
            .allow(Callers.exactly(PAYMENTS), "payments.*", Operation.DATAKEY)
            .build();

    assertThat(policy.decide(PAYMENTS, "payments.cards", Operation.DATAKEY).allowed()).isTrue();
    assertThat(policy.decide(PAYMENTS, "billing.cards", Operation.DATAKEY).allowed()).isFalse();
  }

  @Test
  void decisionNamesTheRuleThatAllowed() {
    KeyAccessPolicy policy =
        KeyAccessPolicy.builder()
            .allow(Callers.exactly(PAYMENTS), "payments.*", Operation.REWRAP)
            .build();

    assertThat(policy.decide(PAYMENTS, "payments.cards", Operation.REWRAP).reason())
        .contains("payments.*")
        .contains("REWRAP");
  }

  @Test
  void rejectsMalformedRules() {
    KeyAccessPolicy.Builder builder = KeyAccessPolicy.builder();

    assertThatThrownBy(() -> builder.allow(Callers.exactly(PAYMENTS), "pay*ments", Operation.ADMIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rings: 'pay*ments'");
    assertThatThrownBy(() -> builder.allow(Callers.exactly(PAYMENTS), "payments"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operations: none");
  }
}
