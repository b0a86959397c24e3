package dev.bulwark.examples.payments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The payments store on both databases Bulwark supports: embedded H2 and real PostgreSQL. */
class PaymentStoreTest {
  @TempDir static Path dir;

  static Stream<String> databases() {
    return Stream.of("h2", "postgresql");
  }

  private static DatabaseSettings settings(String kind) {
    return kind.equals("h2")
        ? DatabaseSettings.embedded(dir, "payments-" + System.nanoTime())
        : TestPostgres.freshSchema();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void createsListsAndRefundsOnce(String kind) {
    try (Database database =
        Database.open(settings(kind), "payments-test", "classpath:db/payments")) {
      PaymentStore store = new PaymentStore(database, Clock.systemUTC());

      Payment payment = store.create("shop", new BigDecimal("12.50"), "EUR", "coffee");
      store.create("someone-else", new BigDecimal("1.00"), "EUR", "tea");

      assertThat(store.listByOwner("shop", 100))
          .extracting(Payment::id)
          .containsExactly(payment.id());
      assertThat(store.find(payment.id()).orElseThrow().amount()).isEqualByComparingTo("12.50");
      assertThat(store.refund(payment.id()))
          .isInstanceOf(PaymentStore.RefundOutcome.Refunded.class);
      assertThat(store.refund(payment.id()))
          .isInstanceOf(PaymentStore.RefundOutcome.AlreadyRefunded.class);
      assertThat(store.refund("00000000-0000-0000-0000-000000000000"))
          .isInstanceOf(PaymentStore.RefundOutcome.NotFound.class);
      assertThat(store.find("not-a-uuid")).isEmpty();
    }
  }
}
