package dev.bulwark.examples.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.examples.Caller;
import dev.bulwark.examples.ReferencePolicies;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shipped payments policies, rule by rule, each with the requests it must refuse. */
class PaymentPoliciesTest {
  private static final long LIMIT = 100_000;

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final ServiceAuthorizer authorizer =
      ReferencePolicies.authorizer("payments", events::add);
  private final PaymentAccess access = new PaymentAccess(authorizer, LIMIT);

  @AfterEach
  void close() {
    authorizer.close();
  }

  private static Payment payment(String owner, String amount) {
    return new Payment(
        "3f2c8a0e-0000-4000-8000-000000000001",
        owner,
        new BigDecimal(amount),
        "EUR",
        "",
        "captured",
        Instant.EPOCH,
        Optional.empty());
  }

  private static Caller finance(boolean mfa) {
    return new Caller("fiona", Set.of("finance"), mfa);
  }

  @Test
  void financeWithMfaRefundsUpToTheLimit() {
    Decision under = access.mayRefund(finance(true), payment("ada", "12.50"));
    Decision atLimit = access.mayRefund(finance(true), payment("ada", "1000.00"));

    assertThat(under.allowed()).isTrue();
    assertThat(under.determiningPolicies())
        .containsExactly("finance-refunds-with-mfa-within-limit");
    assertThat(atLimit.allowed()).isTrue();
  }

  @Test
  void refundWithoutMfaIsRefused() {
    Decision decision = access.mayRefund(finance(false), payment("ada", "12.50"));

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.basis()).isEqualTo(Decision.Basis.NO_PERMIT);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.action()).isEqualTo("policy.decision");
              assertThat(e.attributes()).containsEntry("requested_action", "Action::\"refund\"");
              assertThat(e.toString()).doesNotContain("1250");
            });
  }

  @Test
  void refundOverTheLimitIsRefused() {
    assertThat(access.mayRefund(finance(true), payment("ada", "1000.01")).allowed()).isFalse();
  }

  @Test
  void refundByAnyoneNotInFinanceIsRefused() {
    Caller owner = new Caller("ada", Set.of("support"), true);

    assertThat(access.mayRefund(owner, payment("ada", "12.50")).allowed()).isFalse();
  }

  @Test
  void anOwnerReadsTheirPaymentAndNoOneElses() {
    Caller ada = new Caller("ada", Set.of(), false);

    assertThat(access.mayRead(ada, payment("ada", "1.00")).determiningPolicies())
        .containsExactly("owner-reads-own-payment");
    assertThat(access.mayRead(ada, payment("bob", "1.00")).allowed()).isFalse();
  }

  @Test
  void financeReadsAnyPayment() {
    assertThat(access.mayRead(finance(false), payment("bob", "1.00")).determiningPolicies())
        .containsExactly("finance-reads-any-payment");
  }
}
