package dev.bulwark.ca.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.ca.Attestation;
import dev.bulwark.ca.CaException;
import dev.bulwark.ca.IssuedCertificate;
import dev.bulwark.ca.JoinToken;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.workload.DenyList;
import dev.bulwark.sdk.workload.SpiffeId;
import java.math.BigInteger;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the CA's stores guarantee, on every database they run on. */
abstract class CaStoresContract {
  private static final SpiffeId PAYMENTS = SpiffeId.parse("spiffe://bulwark.test/payments");
  private static final SpiffeId ORDERS = SpiffeId.parse("spiffe://bulwark.test/orders");

  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  private Database database;
  private JoinTokenStore tokens;
  private RevocationStore revocations;
  private IssuedCertificateStore issued;

  abstract DatabaseSettings settings();

  @BeforeEach
  void open() {
    database = Database.open(settings(), "ca-test", "classpath:db/ca");
    tokens = new JoinTokenStore(database, clock);
    revocations = new RevocationStore(database);
    issued = new IssuedCertificateStore(database);
  }

  @AfterEach
  void close() {
    database.close();
  }

  private JoinToken token(Duration ttl) {
    return tokens.create(
        new SvidNames(
            PAYMENTS,
            List.of("payments.internal"),
            List.of(InetAddress.ofLiteral("10.0.0.7"), InetAddress.ofLiteral("::1"))),
        ttl);
  }

  @Test
  void joinTokenRedeemsOnceForWhatItWasCreatedFor() {
    JoinToken token = token(Duration.ofMinutes(10));

    SvidNames names = tokens.redeem(token.reveal());

    assertThat(token.spiffeId()).isEqualTo(PAYMENTS);
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
    assertThat(names.id()).isEqualTo(PAYMENTS);
    assertThat(names.dnsNames()).containsExactly("payments.internal");
    assertThat(names.addresses())
        .containsExactly(InetAddress.ofLiteral("10.0.0.7"), InetAddress.ofLiteral("::1"));
  }

  @Test
  void refusesJoinTokenUsedBefore() {
    JoinToken token = token(Duration.ofMinutes(10));
    tokens.redeem(token.reveal());

    assertThatThrownBy(() -> tokens.redeem(token.reveal()))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.ATTESTATION_FAILED))
        .hasMessageContaining("already used");
  }

  @Test
  void refusesExpiredJoinToken() {
    JoinToken token = token(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(10));

    assertThatThrownBy(() -> tokens.redeem(token.reveal()))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.ATTESTATION_FAILED))
        .hasMessageContaining("expired");
  }

  @Test
  void refusesUnknownJoinToken() {
    token(Duration.ofMinutes(10));

    assertThatThrownBy(() -> tokens.redeem("bwjt_not-a-token"))
        .isInstanceOfSatisfying(
            CaException.class,
            e -> assertThat(e.code()).isEqualTo(CaException.Code.ATTESTATION_FAILED))
        .hasMessageContaining("unknown");
  }

  @Test
  void storesOnlyTheHashOfAJoinToken() throws Exception {
    JoinToken token = token(Duration.ofMinutes(10));

    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM join_tokens")) {
      assertThat(rows.next()).isTrue();
      for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
        assertThat(String.valueOf(rows.getObject(column)))
            .doesNotContain(token.reveal())
            .doesNotContain(token.reveal().substring(5));
      }
    }
    assertThat(token.toString()).doesNotContain(token.reveal());
  }

  @Test
  void ofConcurrentRedeemersOfOneTokenExactlyOneWins() throws Exception {
    JoinToken token = token(Duration.ofMinutes(10));
    int contenders = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    try {
      List<Future<Boolean>> outcomes = new ArrayList<>();
      for (int i = 0; i < contenders; i++) {
        Callable<Boolean> redeem =
            () -> {
              start.await();
              try {
                tokens.redeem(token.reveal());
                return true;
              } catch (CaException e) {
                return false;
              }
            };
        outcomes.add(pool.submit(redeem));
      }
      start.countDown();
      int winners = 0;
      for (Future<Boolean> outcome : outcomes) {
        winners += outcome.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void denyListIsEmptyAtFirst() {
    assertThat(revocations.denyList().sequence()).isZero();
    assertThat(revocations.denyList().identities()).isEmpty();
  }

  @Test
  void revocationsGrowTheSequenceAndAppearInTheDenyList() {
    DenyList first =
        revocations.revoke(
            new RevocationStore.Target.Identity(PAYMENTS), "compromised", "admin", clock.instant());
    DenyList second =
        revocations.revoke(
            new RevocationStore.Target.Serial(new BigInteger("abc123", 16)),
            "key lost",
            "admin",
            clock.instant());

    assertThat(first.sequence()).isEqualTo(1);
    assertThat(second.sequence()).isEqualTo(2);
    assertThat(second.identities()).containsExactly(PAYMENTS);
    assertThat(second.serials()).containsExactly(new BigInteger("abc123", 16));
    assertThat(revocations.denyList().toJson()).isEqualTo(second.toJson());
  }

  @Test
  void revokingTwiceChangesNothing() {
    revocations.revoke(
        new RevocationStore.Target.Identity(PAYMENTS), "compromised", "admin", clock.instant());

    DenyList again =
        revocations.revoke(
            new RevocationStore.Target.Identity(PAYMENTS), "again", "admin", clock.instant());

    assertThat(again.sequence()).isEqualTo(1);
    assertThat(again.identities()).containsExactly(PAYMENTS);
  }

  @Test
  void concurrentRevocationsEachGetTheirOwnSequenceNumber() throws Exception {
    int revokers = 6;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(revokers);
    try {
      List<Future<DenyList>> outcomes = new ArrayList<>();
      for (int i = 0; i < revokers; i++) {
        SpiffeId id = SpiffeId.parse("spiffe://bulwark.test/w" + i);
        outcomes.add(
            pool.submit(
                () -> {
                  start.await();
                  return revocations.revoke(
                      new RevocationStore.Target.Identity(id), "test", "admin", clock.instant());
                }));
      }
      start.countDown();
      List<Long> sequences = new ArrayList<>();
      for (Future<DenyList> outcome : outcomes) {
        DenyList list = outcome.get();
        sequences.add(list.sequence());
        // A list that says N holds N revocations: never a number without the ones before it.
        assertThat(list.identities()).hasSize((int) list.sequence());
      }
      assertThat(sequences).doesNotHaveDuplicates();
      assertThat(revocations.denyList().sequence()).isEqualTo(revokers);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void issuedCertificatesAreRecordedForInspection() {
    Instant now = clock.instant();
    IssuedCertificate first =
        new IssuedCertificate(
            new BigInteger("1f", 16), PAYMENTS, Attestation.JOIN_TOKEN, now, now.plusSeconds(3600));
    IssuedCertificate second =
        new IssuedCertificate(
            new BigInteger("2f", 16),
            PAYMENTS,
            Attestation.RENEWAL,
            now.plusSeconds(1),
            now.plusSeconds(3601));
    issued.record(first);
    issued.record(second);
    issued.record(
        new IssuedCertificate(
            new BigInteger("3f", 16), ORDERS, Attestation.K8S_PSAT, now, now.plusSeconds(60)));

    assertThat(issued.issuedFor(PAYMENTS)).containsExactly(first, second);
  }
}
