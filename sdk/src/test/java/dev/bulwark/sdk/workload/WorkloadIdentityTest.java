package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.testing.MutableClock;
import dev.bulwark.sdk.workload.CaClient.SvidResponse;
import dev.bulwark.sdk.workload.SpiffeTrustManager.PeerRefusal;
import dev.bulwark.sdk.workload.SpiffeTrustManager.Role;
import dev.bulwark.sdk.workload.WorkloadIdentity.Status;
import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadIdentityTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
  private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://bulwark.test/app");
  private static final SpiffeId CA_ID = SpiffeId.parse("spiffe://bulwark.test/bulwark/ca");
  private static final String TOKEN = "jt-0123456789abcdef";
  private static final Duration HOUR = Duration.ofHours(1);

  private static TestCa ca;

  private final MutableClock clock = new MutableClock(T0);
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<Duration> sleeps = new ArrayList<>();
  private final RecordingEvents events = new RecordingEvents();
  private FakeCa fake;

  @BeforeAll
  static void createCa() {
    ca = TestCa.create(TestCa.DOMAIN, T0);
  }

  @BeforeEach
  void createFake() {
    fake = new FakeCa(ca, clock, WORKLOAD);
  }

  private WorkloadIdentity.Builder builder() {
    return WorkloadIdentity.builder()
        .caUrl(URI.create("https://ca.test:8448"))
        .caId(CA_ID)
        .bundle(ca.bundle(1))
        .attestation(Attestation.joinToken(TOKEN))
        .clock(clock)
        .events(events)
        // Far off, so that only the renewal is due unless a test refreshes.
        .refreshInterval(Duration.ofDays(1))
        .caClient(fake)
        .schedulers(scheduler::named)
        .random(() -> 0.5)
        .sleeper(
            d -> {
              sleeps.add(d);
              clock.advance(d);
            });
  }

  private WorkloadIdentity start() throws WorkloadIdentityException {
    return builder().start(Duration.ofSeconds(30));
  }

  @Test
  void startAttestsWithTheJoinTokenAndHoldsAnSvidForItsOwnKey() throws Exception {
    try (WorkloadIdentity identity = start()) {
      X509Svid svid = identity.svid();
      assertThat(svid.id()).isEqualTo(WORKLOAD);
      assertThat(svid.chain()).containsExactly(svid.leaf(), ca.intermediate());
      assertThat(svid.leaf().getPublicKey().getAlgorithm()).isEqualTo("EC");
      assertThat(identity.keyManager().current()).isSameAs(svid.key());
      assertThat(identity.status()).isEqualTo(Status.HEALTHY);
      assertThat(identity.bundle().sequence()).isEqualTo(1);
      assertThat(fake.attestations)
          .containsExactly(java.util.Map.of("type", "join_token", "token", TOKEN));
      assertThat(fake.credentials.get(0).svid()).isEmpty();
      assertThat(scheduler.threadNames())
          .containsExactly("workload-identity-spiffe://bulwark.test/app");
      assertThat(identity.toString()).contains(WORKLOAD.toString()).doesNotContain(TOKEN);
    }
  }

  @Test
  void startRetriesWithGrowingBackoffUntilTheCaAnswers() throws Exception {
    for (int i = 0; i < 3; i++) {
      fake.failures.add(new WorkloadIdentityException(Code.CA_UNREACHABLE, "connection refused"));
    }

    try (WorkloadIdentity identity = start()) {
      assertThat(identity.svid().id()).isEqualTo(WORKLOAD);
      assertThat(fake.attests).isEqualTo(4);
      assertThat(sleeps)
          .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
  }

  @Test
  void startGivesUpAtTheTimeoutWithTheCodeOfTheLastFailure() {
    fake.down = true;

    assertThatThrownBy(() -> builder().start(Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.CA_UNREACHABLE);
              assertThat(e.getMessage())
                  .contains("no SVID from the CA at https://ca.test:8448 within 10s")
                  .doesNotContain(TOKEN);
            });
    // 1 + 2 + 4 seconds, then the 3 left before the deadline, then one last attempt.
    assertThat(sleeps)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(3));
    assertThat(fake.attests).isEqualTo(5);
    assertThat(scheduler.threadNames()).isEmpty();
  }

  @Test
  void startFailsAtOnceWhenTheJoinTokenIsRefused() {
    fake.failures.add(
        new WorkloadIdentityException(
            Code.ATTESTATION_FAILED, "POST /v1/svid answered 401 attestation_failed"));

    assertThatThrownBy(this::start)
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> assertThat(e.code()).isEqualTo(Code.ATTESTATION_FAILED));
    assertThat(fake.attests).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void startRetriesARefusedKubernetesTokenBecauseTheKubeletRotatesIt(@TempDir Path dir)
      throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "header.payload.signature\n");
    fake.failures.add(new WorkloadIdentityException(Code.ATTESTATION_FAILED, "token expired"));

    try (WorkloadIdentity identity =
        builder().attestation(Attestation.kubernetes(token)).start(Duration.ofSeconds(30))) {
      assertThat(fake.attests).isEqualTo(2);
      assertThat(fake.attestations.get(1))
          .containsEntry("type", "k8s_psat")
          .containsEntry("token", "header.payload.signature");
      assertThat(identity.status()).isEqualTo(Status.HEALTHY);
    }
  }

  @Test
  void refusesACertificateThatIsNotForItsKey() {
    fake.tamper =
        (response, key) -> withLeaf(response, ca.leaf(WORKLOAD).validity(T0, HOUR).issue());

    assertThatThrownBy(() -> builder().start(Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE);
              assertThat(e.getMessage()).contains("not for this workload's key");
            });
  }

  @Test
  void refusesAChainThatDoesNotVerifyAgainstTheBundle() {
    fake.issuer = TestCa.create(TestCa.DOMAIN, T0);

    assertThatThrownBy(() -> builder().start(Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE);
              assertThat(e.getMessage())
                  .contains("does not verify")
                  .contains("not issued by a CA of this trust domain");
            });
  }

  @Test
  void refusesAnSvidOfAnotherTrustDomain() {
    TestCa foreign = TestCa.create(TrustDomain.of("elsewhere.test"), T0);
    SpiffeId stranger = SpiffeId.parse("spiffe://elsewhere.test/app");
    fake.tamper =
        (response, key) ->
            new SvidResponse(
                stranger,
                List.of(foreign.leaf(stranger).publicKey(key).validity(T0, HOUR).issue()),
                response.expiresAt(),
                response.bundle());

    assertThatThrownBy(() -> builder().start(Duration.ofSeconds(2)))
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE);
              assertThat(e.getMessage()).contains("not of trust domain bulwark.test");
            });
  }

  @Test
  void renewalIsScheduledAtTheLifetimeFractionWithinTheJitter() throws Exception {
    // Half of the hour, moved by up to ±10% of that: 27 to 33 minutes.
    assertThat(firstRenewal(builder().random(() -> 0.0))).isEqualTo(Duration.ofMinutes(27));
    assertThat(firstRenewal(builder().random(() -> Math.nextDown(1.0))))
        .isBetween(Duration.ofSeconds(1979), Duration.ofMinutes(33));
    assertThat(firstRenewal(builder().random(() -> 0.25)))
        .isEqualTo(Duration.ofMinutes(28).plusSeconds(30));
    assertThat(firstRenewal(builder().renewal(0.8, 0).random(() -> 0.3)))
        .isEqualTo(Duration.ofMinutes(48));
  }

  @Test
  void aBackdatedNotBeforeDoesNotMakeAShortLivedSvidRenewAtOnce() throws Exception {
    // 20 s of life from now, notBefore 30 s ago: half of the whole span is already past.
    fake.lifetime = Duration.ofSeconds(20);
    fake.backdate = Duration.ofSeconds(30);
    ManualScheduler own = new ManualScheduler(clock);
    try (WorkloadIdentity identity =
        builder().random(() -> 0.5).schedulers(own::named).start(Duration.ZERO)) {
      assertThat(Duration.between(clock.instant(), own.nextDue().orElseThrow()))
          .isEqualTo(Duration.ofSeconds(10));
      assertThat(identity.svid().notBefore()).isEqualTo(clock.instant().minusSeconds(30));
    }
  }

  /** How long after its notBefore the first SVID is to be renewed. */
  private Duration firstRenewal(WorkloadIdentity.Builder builder) throws Exception {
    ManualScheduler own = new ManualScheduler(clock);
    try (WorkloadIdentity identity = builder.schedulers(own::named).start(Duration.ZERO)) {
      return Duration.between(identity.svid().notBefore(), own.nextDue().orElseThrow());
    }
  }

  @Test
  void renewalPresentsTheCurrentSvidAndInstallsANewKey() throws Exception {
    try (WorkloadIdentity identity = start()) {
      X509Svid first = identity.svid();

      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));

      X509Svid renewed = identity.svid();
      assertThat(fake.renewals).isEqualTo(1);
      assertThat(fake.credentials.get(1).svid()).contains(first);
      assertThat(renewed).isNotSameAs(first);
      assertThat(renewed.id()).isEqualTo(WORKLOAD);
      assertThat(renewed.leaf().getPublicKey()).isNotEqualTo(first.leaf().getPublicKey());
      assertThat(renewed.notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
      assertThat(identity.keyManager().current()).isSameAs(renewed.key());
      assertThat(events.renewed).containsExactly(renewed);
      assertThat(identity.status()).isEqualTo(Status.HEALTHY);
      assertThat(scheduler.nextDue()).contains(T0.plus(Duration.ofMinutes(60)));
    }
  }

  @Test
  void renewNowRenewsOnTheCallingThreadAndReschedules() throws Exception {
    try (WorkloadIdentity identity = start()) {
      clock.advance(Duration.ofMinutes(10));

      X509Svid renewed = identity.renewNow();

      assertThat(identity.svid()).isSameAs(renewed);
      assertThat(fake.renewals).isEqualTo(1);
      assertThat(scheduler.nextDue()).contains(T0.plus(Duration.ofMinutes(40)));
    }
  }

  @Test
  void retriesBackOffExponentiallyUpToTheMaximum() throws Exception {
    try (WorkloadIdentity identity = start()) {
      fake.down = true;
      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));

      List<Duration> gaps = new ArrayList<>();
      Instant previous = clock.instant();
      for (int i = 0; i < 8; i++) {
        Instant next = scheduler.nextDue().orElseThrow();
        gaps.add(Duration.between(previous, next));
        scheduler.runNext();
        previous = next;
      }

      assertThat(gaps)
          .extracting(Duration::toSeconds)
          .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
      assertThat(identity.status()).isEqualTo(Status.RENEWAL_FAILING);
      assertThat(identity.svid().notBefore()).isEqualTo(T0);
    }
  }

  @Test
  void retriesLandOnTheMomentsTheSvidStartsExpiringAndExpires() throws Exception {
    try (WorkloadIdentity identity =
        builder().backoff(Duration.ofMinutes(7), Duration.ofMinutes(7)).start(Duration.ZERO)) {
      fake.down = true;
      List<Instant> attempts = new ArrayList<>();
      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));
      for (int i = 0; i < 5; i++) {
        scheduler.runNext();
        attempts.add(clock.instant());
      }

      assertThat(attempts)
          .containsExactly(
              T0.plus(Duration.ofMinutes(37)),
              T0.plus(Duration.ofMinutes(44)),
              T0.plus(Duration.ofMinutes(45)),
              T0.plus(Duration.ofMinutes(52)),
              T0.plus(Duration.ofMinutes(59)));
      scheduler.runNext();
      assertThat(clock.instant()).isEqualTo(T0.plus(HOUR));
      assertThat(identity.status()).isEqualTo(Status.EXPIRED);
    }
  }

  @Test
  void statusGoesFromHealthyThroughFailingAndExpiredBackToHealthy(@TempDir Path dir)
      throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "psat-1");
    try (WorkloadIdentity identity =
        builder().attestation(Attestation.kubernetes(token)).start(Duration.ZERO)) {
      X509Svid first = identity.svid();
      fake.down = true;

      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));
      assertThat(identity.status()).isEqualTo(Status.RENEWAL_FAILING);
      assertThat(events.failures).hasSize(1);
      assertThat(events.failures.get(0).remaining()).isEqualTo(Duration.ofMinutes(30));
      assertThat(events.failures.get(0).failure())
          .isInstanceOfSatisfying(
              WorkloadIdentityException.class,
              e -> assertThat(e.code()).isEqualTo(Code.CA_UNREACHABLE));

      scheduler.runUntil(T0.plus(Duration.ofMinutes(45)).minusNanos(1));
      assertThat(events.expiring).isEmpty();
      scheduler.runUntil(T0.plus(Duration.ofMinutes(45)));
      assertThat(events.expiring)
          .containsExactly(
              new Expiring(first, Duration.ofMinutes(15), T0.plus(Duration.ofMinutes(45))));
      assertThat(identity.status()).isEqualTo(Status.RENEWAL_FAILING);

      scheduler.runUntil(T0.plus(HOUR).minusNanos(1));
      assertThat(events.expired).isEmpty();
      assertThat(identity.status()).isEqualTo(Status.RENEWAL_FAILING);
      scheduler.runUntil(T0.plus(HOUR));
      assertThat(identity.status()).isEqualTo(Status.EXPIRED);
      assertThat(events.expired).containsExactly(first);
      int renewals = fake.renewals;
      int attests = fake.attests;

      scheduler.advance(Duration.ofMinutes(5));
      assertThat(events.expiring).hasSize(1);
      assertThat(events.expired).hasSize(1);
      assertThat(identity.svid()).isSameAs(first);

      fake.down = false;
      scheduler.runNext();
      assertThat(identity.status()).isEqualTo(Status.HEALTHY);
      assertThat(identity.svid()).isNotSameAs(first);
      // An expired SVID cannot be renewed: since expiry the workload attests with its token.
      assertThat(fake.renewals).isEqualTo(renewals);
      assertThat(fake.attests).isGreaterThan(attests + 1);
      assertThat(fake.attestations.getLast()).containsEntry("token", "psat-1");
      assertThat(events.renewed).containsExactly(identity.svid());
    }
  }

  @Test
  void aJoinTokenWorkloadKeepsAskingForRenewalAfterExpiry() throws Exception {
    try (WorkloadIdentity identity = start()) {
      fake.down = true;
      scheduler.runUntil(T0.plus(Duration.ofMinutes(70)));
      assertThat(identity.status()).isEqualTo(Status.EXPIRED);
      int renewals = fake.renewals;

      scheduler.runNext();

      assertThat(fake.renewals).isEqualTo(renewals + 1);
      assertThat(fake.attests).isEqualTo(1);
      assertThat(fake.credentials.getLast().svid()).isPresent();
    }
  }

  @Test
  void aRenewedCertificateForAnotherKeyIsRefusedAndTheCurrentOneKept() throws Exception {
    try (WorkloadIdentity identity = start()) {
      X509Svid first = identity.svid();
      fake.tamper =
          (response, key) ->
              withLeaf(response, ca.leaf(WORKLOAD).validity(clock.instant(), HOUR).issue());

      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));

      assertThat(identity.svid()).isSameAs(first);
      assertThat(identity.keyManager().current()).isSameAs(first.key());
      assertThat(identity.status()).isEqualTo(Status.RENEWAL_FAILING);
      assertThat(events.failures.get(0).failure())
          .isInstanceOfSatisfying(
              WorkloadIdentityException.class,
              e -> assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE));
    }
  }

  @Test
  void aRenewedSvidForAnotherWorkloadIsRefused() throws Exception {
    try (WorkloadIdentity identity = start()) {
      fake.issuedId = SpiffeId.parse("spiffe://bulwark.test/admin");

      assertThatThrownBy(identity::renewNow)
          .isInstanceOfSatisfying(
              WorkloadIdentityException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Code.INVALID_RESPONSE);
                assertThat(e.getMessage()).contains("not for spiffe://bulwark.test/app");
              });
      assertThat(identity.svid().id()).isEqualTo(WORKLOAD);
    }
  }

  @Test
  void anOlderBundleWithARenewalDoesNotReplaceTheCurrentOne() throws Exception {
    try (WorkloadIdentity identity = builder().bundle(ca.bundle(4)).start(Duration.ZERO)) {
      assertThat(identity.bundle().sequence()).isEqualTo(4);

      fake.bundleInSvid = ca.bundle(9);
      identity.renewNow();
      assertThat(identity.bundle().sequence()).isEqualTo(9);

      fake.bundleInSvid = ca.bundle(2);
      identity.renewNow();
      assertThat(identity.bundle().sequence()).isEqualTo(9);
    }
  }

  @Test
  void refreshAdoptsNewerBundlesAndRefusesRollbacksAndOtherTrustDomains() throws Exception {
    try (WorkloadIdentity identity =
        builder().refreshInterval(Duration.ofMinutes(5)).start(Duration.ZERO)) {
      fake.bundle = ca.bundle(5);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.bundle().sequence()).isEqualTo(5);
      assertThat(fake.credentials.getLast().svid()).contains(identity.svid());

      fake.bundle = ca.bundle(3);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.bundle().sequence()).isEqualTo(5);

      fake.bundle = TestCa.create(TrustDomain.of("elsewhere.test"), T0).bundle(50);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.bundle().sequence()).isEqualTo(5);
      assertThat(identity.bundle().trustDomain()).isEqualTo(TestCa.DOMAIN);
      assertThat(fake.bundleCalls).isEqualTo(3);
    }
  }

  @Test
  void refreshAdoptsNewerDenyListsAndRefusesRollbacks() throws Exception {
    try (WorkloadIdentity identity =
        builder().refreshInterval(Duration.ofMinutes(5)).start(Duration.ZERO)) {
      fake.denyList = new DenyList(Set.of(), Set.of(BigInteger.TEN), 4);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.denyList().sequence()).isEqualTo(4);

      fake.denyList = new DenyList(Set.of(), Set.of(), 2);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.denyList().sequence()).isEqualTo(4);
      assertThat(identity.denyList().serials()).containsExactly(BigInteger.TEN);
    }
  }

  @Test
  void refreshWaitsForTheBundlesHintUnlessToldOtherwise() throws Exception {
    try (WorkloadIdentity identity =
        WorkloadIdentity.builder()
            .caUrl(URI.create("https://ca.test:8448"))
            .caId(CA_ID)
            .bundle(ca.bundle(1))
            .attestation(Attestation.joinToken(TOKEN))
            .clock(clock)
            .caClient(fake)
            .schedulers(scheduler::named)
            .start(Duration.ZERO)) {
      assertThat(scheduler.nextDue()).contains(T0.plus(Duration.ofMinutes(5)));
      scheduler.runNext();
      assertThat(fake.bundleCalls).isEqualTo(1);
      assertThat(fake.denyListCalls).isEqualTo(1);
      assertThat(identity.status()).isEqualTo(Status.HEALTHY);
    }
  }

  @Test
  void aFailedRefreshKeepsTheCurrentTrustAndTriesAgainNextTime() throws Exception {
    try (WorkloadIdentity identity =
        builder().refreshInterval(Duration.ofMinutes(5)).start(Duration.ZERO)) {
      fake.down = true;
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.bundle().sequence()).isEqualTo(1);

      fake.down = false;
      fake.bundle = ca.bundle(2);
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(identity.bundle().sequence()).isEqualTo(2);
    }
  }

  @Test
  void trustManagersHandedOutApplyARevocationFromTheNextCheck() throws Exception {
    try (WorkloadIdentity identity =
        builder().refreshInterval(Duration.ofMinutes(5)).start(Duration.ZERO)) {
      SpiffeId peerId = SpiffeId.parse("spiffe://bulwark.test/peer");
      X509Certificate[] peer =
          ca.leaf(peerId)
              .validity(T0.minus(HOUR), HOUR.multipliedBy(3))
              .chain()
              .toArray(X509Certificate[]::new);
      SpiffeTrustManager trust = identity.trustManager(PeerAuthorizer.memberOf(TestCa.DOMAIN));
      assertThat(trust.verify(peer, Role.CLIENT)).isEqualTo(peerId);

      fake.denyList = new DenyList(Set.of(peerId), Set.of(), 1);
      scheduler.advance(Duration.ofMinutes(5));

      assertThatThrownBy(() -> trust.verify(peer, Role.CLIENT))
          .isInstanceOf(CertificateException.class)
          .hasMessageContaining("is revoked");
      assertThat(events.refusals)
          .extracting(PeerRefusal::peer)
          .containsExactly(Optional.of(peerId));
    }
  }

  @Test
  void aFailingListenerDoesNotStopRenewal() throws Exception {
    try (WorkloadIdentity identity =
        builder()
            .events(
                new WorkloadIdentity.Events() {
                  @Override
                  public void onRenewed(X509Svid svid) {
                    throw new IllegalStateException("listener bug");
                  }
                })
            .start(Duration.ZERO)) {
      scheduler.runUntil(T0.plus(Duration.ofMinutes(30)));
      scheduler.runUntil(T0.plus(Duration.ofMinutes(60)));
      assertThat(fake.renewals).isEqualTo(2);
      assertThat(identity.svid().notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(60)));
    }
  }

  @Test
  void closeStopsTheSchedulerAndRefusesRenewals() throws Exception {
    WorkloadIdentity identity = start();

    identity.close();

    assertThat(scheduler.isShutdown()).isTrue();
    assertThatThrownBy(identity::renewNow)
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class, e -> assertThat(e.code()).isEqualTo(Code.CLOSED));
    assertThat(identity.svid().id()).isEqualTo(WORKLOAD);
    identity.close();
  }

  @Test
  void runsOnOneDaemonThreadNamedForTheWorkloadUntilClosed() throws Exception {
    WorkloadIdentity identity =
        WorkloadIdentity.builder()
            .caUrl(URI.create("https://ca.test:8448"))
            .caId(CA_ID)
            .bundle(ca.bundle(1))
            .attestation(Attestation.joinToken(TOKEN))
            .clock(clock)
            .caClient(fake)
            .start(Duration.ZERO);
    Thread thread = null;
    try {
      // The executor starts its thread with the first task scheduled, which start() did.
      thread =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("workload-identity-spiffe://bulwark.test/app"))
              .findFirst()
              .orElseThrow();
      assertThat(thread.isDaemon()).isTrue();
    } finally {
      identity.close();
    }
    thread.join(Duration.ofSeconds(10));
    assertThat(thread.isAlive()).isFalse();
  }

  @Test
  void theBuilderChecksItsSettings() {
    assertThatThrownBy(() -> WorkloadIdentity.builder().caUrl(URI.create("http://ca.test")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected https://");
    assertThatThrownBy(() -> WorkloadIdentity.builder().renewal(0.95, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> WorkloadIdentity.builder().backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkloadIdentity.builder().caId(CA_ID).start(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("caUrl is not set");
    assertThatThrownBy(
            () ->
                builder()
                    .caId(SpiffeId.parse("spiffe://elsewhere.test/bulwark/ca"))
                    .start(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not of the bundle's trust domain");
  }

  @Test
  void formatsDurationsForPeople() {
    assertThat(WorkloadIdentity.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(WorkloadIdentity.format(Duration.ofSeconds(3723).plusMillis(400)))
        .isEqualTo("1h2m3s");
    assertThat(WorkloadIdentity.format(Duration.ofMinutes(15))).isEqualTo("15m");
  }

  private static SvidResponse withLeaf(SvidResponse response, X509Certificate leaf) {
    List<X509Certificate> chain = new ArrayList<>(response.chain());
    chain.set(0, leaf);
    return new SvidResponse(response.id(), chain, response.expiresAt(), response.bundle());
  }

  record Failure(Exception failure, Duration remaining) {}

  record Expiring(X509Svid svid, Duration remaining, Instant at) {}

  private final class RecordingEvents implements WorkloadIdentity.Events {
    final List<X509Svid> renewed = new ArrayList<>();
    final List<Failure> failures = new ArrayList<>();
    final List<Expiring> expiring = new ArrayList<>();
    final List<X509Svid> expired = new ArrayList<>();
    final List<PeerRefusal> refusals = new ArrayList<>();

    @Override
    public void onRenewed(X509Svid svid) {
      renewed.add(svid);
    }

    @Override
    public void onRenewalFailed(Exception failure, Duration remaining) {
      failures.add(new Failure(failure, remaining));
    }

    @Override
    public void onExpiring(X509Svid svid, Duration remaining) {
      expiring.add(new Expiring(svid, remaining, clock.instant()));
    }

    @Override
    public void onExpired(X509Svid svid) {
      expired.add(svid);
    }

    @Override
    public void onPeerRefused(PeerRefusal refusal) {
      refusals.add(refusal);
    }
  }
}
