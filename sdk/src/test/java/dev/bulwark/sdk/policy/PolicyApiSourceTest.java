package dev.bulwark.sdk.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.sdk.policy.PolicyApiStub.Answer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyApiSourceTest {
  private static final EntityUid ALICE = EntityUid.of("User", "alice");
  private static final EntityUid BOB = EntityUid.of("User", "bob");
  private static final EntityUid READ = EntityUid.of("Action", "read");
  private static final EntityUid DOC = EntityUid.of("Document", "d1");
  private static final String ALICE_READS =
      "@id(\"alice-reads\") permit (principal == User::\"alice\", action == Action::\"read\", resource);";
  private static final String BOB_READS =
      "@id(\"bob-reads\") permit (principal == User::\"bob\", action == Action::\"read\", resource);";

  private PolicyApiStub stub;

  @AfterEach
  void stop() {
    if (stub != null) {
      stub.close();
    }
  }

  private PolicyApiSource source(SSLContext context) {
    return PolicyApiSource.builder()
        .baseUri(stub.uri())
        .store("payments")
        .sslContext(context)
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  private ServiceAuthorizer authorizer(PolicySource source) {
    return ServiceAuthorizer.builder("payments").source(source).refreshEvery(Duration.ZERO).build();
  }

  @Test
  void pollFetchesTheStoreOverMutualTlsThenAsksWithItsEtag() throws Exception {
    stub =
        new PolicyApiStub(
            seen ->
                seen.ifNoneMatch().equals(Optional.of("\"3\""))
                    ? Answer.status(304)
                    : Answer.store("payments", 3, ALICE_READS));
    PolicyApiSource source = source(PolicyApiStub.clientContext());

    PolicySource.Update first = source.poll();
    PolicySource.Update second = source.poll();

    assertThat(first)
        .isInstanceOfSatisfying(
            PolicySource.Update.Changed.class,
            changed -> {
              assertThat(changed.bundle().version()).isEqualTo("3");
              assertThat(changed.bundle().policies().get("alice-reads")).isPresent();
            });
    assertThat(second).isInstanceOf(PolicySource.Update.Unchanged.class);
    assertThat(stub.requests).hasSize(2);
    assertThat(stub.requests.get(0).line()).isEqualTo("GET /v1/policies/payments");
    assertThat(stub.requests.get(0).ifNoneMatch()).isEmpty();
    assertThat(stub.requests.get(1).ifNoneMatch()).contains("\"3\"");
    assertThat(stub.requests).allSatisfy(seen -> assertThat(seen.clientCertificate()).isTrue());
  }

  @Test
  void aNewVersionGoesLiveAndABadOneNeverReplacesIt() throws Exception {
    AtomicLong version = new AtomicLong(1);
    stub =
        new PolicyApiStub(
            seen ->
                switch ((int) version.get()) {
                  case 1 -> Answer.store("payments", 1, ALICE_READS);
                  case 2 -> Answer.store("payments", 2, BOB_READS);
                  default -> Answer.store("payments", 3, "permit (principal, action,");
                });
    try (ServiceAuthorizer authorizer = authorizer(source(PolicyApiStub.clientContext()))) {
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();

      version.set(2);
      assertThat(authorizer.refresh()).isTrue();
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isTrue();
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isFalse();

      version.set(3);
      assertThat(authorizer.refresh()).isFalse();
      assertThat(authorizer.version()).contains("2");
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isTrue();
    }
  }

  @Test
  void aFailedFetchKeepsTheLastGoodSet() throws Exception {
    stub = new PolicyApiStub(seen -> Answer.store("payments", 1, ALICE_READS));
    try (ServiceAuthorizer authorizer = authorizer(source(PolicyApiStub.clientContext()))) {
      stub.answers = seen -> Answer.status(503);
      assertThat(authorizer.refresh()).isFalse();
      stub.close();
      assertThat(authorizer.refresh()).isFalse();

      assertThat(authorizer.version()).contains("1");
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();
    }
  }

  @Test
  void aServiceThatNeverGotASetDeniesEverything() throws Exception {
    stub = new PolicyApiStub(seen -> Answer.status(404));
    PolicyApiSource source = source(PolicyApiStub.clientContext());

    assertThat(source.poll())
        .isInstanceOfSatisfying(
            PolicySource.Update.Failed.class,
            failed -> assertThat(failed.reason()).contains("404").contains("'payments'"));
    try (ServiceAuthorizer authorizer = authorizer(source)) {
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of());
      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.NO_POLICIES);
    }
  }

  @Test
  void aForbiddenStoreIsAFailureNamingIt() throws Exception {
    stub = new PolicyApiStub(seen -> Answer.status(403));

    assertThat(source(PolicyApiStub.clientContext()).poll())
        .isInstanceOfSatisfying(
            PolicySource.Update.Failed.class,
            failed -> assertThat(failed.reason()).contains("403").contains("may not read"));
  }

  @Test
  void aClientWithoutATrustedCertificateGetsNothing() throws Exception {
    stub = new PolicyApiStub(seen -> Answer.store("payments", 1, ALICE_READS));

    assertThat(source(PolicyApiStub.strangerContext()).poll())
        .isInstanceOf(PolicySource.Update.Failed.class);
    assertThat(stub.requests).isEmpty();
  }

  @Test
  void anAnswerForAnotherStoreIsRefused() throws Exception {
    stub =
        new PolicyApiStub(
            seen -> Answer.store("profiles", 1, "permit (principal, action, resource);"));

    assertThat(source(PolicyApiStub.clientContext()).poll())
        .isInstanceOfSatisfying(
            PolicySource.Update.Failed.class,
            failed -> assertThat(failed.reason()).contains("expected: 'payments'"));
  }

  @Test
  void refusesAPlaintextBaseUriAndAStoreNameThatWouldChangeThePath() {
    assertThatThrownBy(() -> PolicyApiSource.builder().baseUri(URI.create("http://policy:8451")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
    assertThatThrownBy(() -> PolicyApiSource.builder().store("../admin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store: '../admin'");
  }

  @Test
  void refusesToBuildWithoutItsParts() {
    assertThatThrownBy(() -> PolicyApiSource.builder().store("payments").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUri");
  }
}
