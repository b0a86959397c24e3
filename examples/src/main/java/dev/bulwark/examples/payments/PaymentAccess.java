package dev.bulwark.examples.payments;

import static java.util.Objects.requireNonNull;

import dev.bulwark.examples.Caller;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.Value;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * The questions payments asks its policies ({@code policies/payments/payments.cedar}): may this
 * caller read this payment, may it refund it. Amounts and the limit are in cents.
 */
final class PaymentAccess {
  static final EntityUid READ = EntityUid.of("Action", "read");
  static final EntityUid REFUND = EntityUid.of("Action", "refund");

  private final ServiceAuthorizer authorizer;
  private final long refundLimitCents;

  PaymentAccess(ServiceAuthorizer authorizer, long refundLimitCents) {
    this.authorizer = requireNonNull(authorizer, "authorizer");
    if (refundLimitCents < 0) {
      throw new IllegalArgumentException(
          "refundLimitCents: " + refundLimitCents + " (expected: >= 0)");
    }
    this.refundLimitCents = refundLimitCents;
  }

  Decision mayRead(Caller caller, Payment payment) {
    return authorizer.check(
        caller.uid(), READ, uid(payment), Map.of(), List.of(caller.entity(), entity(payment)));
  }

  Decision mayRefund(Caller caller, Payment payment) {
    Map<String, Value> context =
        Map.of(
            "mfa", BoolValue.of(caller.mfa()),
            "amount", new LongValue(cents(payment)),
            "limit", new LongValue(refundLimitCents));
    return authorizer.check(
        caller.uid(), REFUND, uid(payment), context, List.of(caller.entity(), entity(payment)));
  }

  private static EntityUid uid(Payment payment) {
    return EntityUid.of("Payment", payment.id());
  }

  private static Entity entity(Payment payment) {
    return new Entity(
        uid(payment),
        Map.of("owner", EntityUid.of("User", payment.owner())),
        java.util.Set.of(),
        Map.of());
  }

  // Stored amounts have at most two decimals (the API accepts no more), so this is exact.
  private static long cents(Payment payment) {
    return payment.amount().setScale(2, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
  }
}
