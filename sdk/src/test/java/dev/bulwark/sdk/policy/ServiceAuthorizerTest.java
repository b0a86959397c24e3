package dev.bulwark.sdk.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.BoolValue;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceAuthorizerTest {
  private static final EntityUid ALICE = EntityUid.of("User", "alice");
  private static final EntityUid BOB = EntityUid.of("User", "bob");
  private static final EntityUid READ = EntityUid.of("Action", "read");
  private static final EntityUid DELETE = EntityUid.of("Action", "delete");
  private static final EntityUid DOC = EntityUid.of("Document", "d1");
  private static final EntityUid ADMINS = EntityUid.of("Role", "admin");

  private static final String POLICIES =
      """
      @id("alice-reads")
      permit (principal == User::"alice", action == Action::"read", resource);

      @id("admins-delete")
      permit (principal in Role::"admin", action == Action::"delete", resource);

      @id("no-deleting-locked")
      forbid (principal, action == Action::"delete", resource) when { context.locked };
      """;

  @TempDir Path dir;
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

  private ServiceAuthorizer authorizer(PolicySource source, DecisionAudit mode) {
    return ServiceAuthorizer.builder("docs")
        .source(source)
        .audit(events::add, mode)
        .refreshEvery(Duration.ZERO)
        .build();
  }

  /** An authorizer on {@link #dir}, which holds {@link #POLICIES} to start with. */
  private ServiceAuthorizer watchingDirectory() throws IOException {
    Files.writeString(dir.resolve("docs.cedar"), POLICIES);
    return authorizer(DirectoryPolicySource.of(dir), DecisionAudit.NONE);
  }

  private static PolicySource fixed(String cedar) {
    return PolicySource.fixed(PolicyBundle.parse(cedar, Optional.empty(), Optional.empty(), "1"));
  }

  private static Map<String, Value> unlocked() {
    return Map.of("locked", BoolValue.FALSE);
  }

  @Test
  void checkWhenAPermitMatchesThenAllowedWithItsId() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of());

      assertThat(decision.allowed()).isTrue();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.PERMITTED);
      assertThat(decision.determiningPolicies()).containsExactly("alice-reads");
      assertThat(decision.reason()).isEqualTo("allowed by [alice-reads]");
    }
  }

  @Test
  void checkWhenNoPermitMatchesThenDenied() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      Decision decision = authorizer.check(BOB, READ, DOC, Map.of());

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.NO_PERMIT);
      assertThat(decision.determiningPolicies()).isEmpty();
    }
  }

  @Test
  void checkWhenRequestEntitiesPutThePrincipalInARoleThenTheRolePolicyApplies() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      List<Entity> bobIsAdmin = List.of(Entity.of(BOB, Set.of(ADMINS)));

      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), bobIsAdmin).allowed()).isTrue();
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked()).allowed())
          .as("without the request's entities bob is in no role")
          .isFalse();
    }
  }

  @Test
  void checkWhenAForbidMatchesThenDeniedByIt() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      Decision decision =
          authorizer.check(
              BOB,
              DELETE,
              DOC,
              Map.of("locked", BoolValue.TRUE),
              List.of(Entity.of(BOB, Set.of(ADMINS))));

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.FORBIDDEN);
      assertThat(decision.determiningPolicies()).containsExactly("no-deleting-locked");
    }
  }

  @Test
  void checkWhenSeveralPermitsMatchThenAllAreNamedInOrder() {
    String cedar =
        """
        @id("z-reads")
        permit (principal == User::"alice", action == Action::"read", resource);

        @id("a-reads")
        permit (principal, action == Action::"read", resource);
        """;
    try (ServiceAuthorizer authorizer = authorizer(fixed(cedar), DecisionAudit.NONE)) {
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of());

      assertThat(decision.basis()).isEqualTo(Decision.Basis.PERMITTED);
      assertThat(decision.determiningPolicies()).containsExactly("a-reads", "z-reads");
      assertThat(decision.reason()).isEqualTo("allowed by [a-reads, z-reads]");
    }
  }

  @Test
  void checkWhenTheSameEntityObjectsComeAgainThenTheirStoreIsKept() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.NONE)) {
      Entity bobIsAdmin = Entity.of(BOB, Set.of(ADMINS));

      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), List.of(bobIsAdmin)).allowed())
          .isTrue();
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), List.of(bobIsAdmin)).allowed())
          .isTrue();
      assertThat(authorizer.rememberedStores()).isEqualTo(1);
      assertThat(
              authorizer
                  .check(BOB, DELETE, DOC, unlocked(), List.of(Entity.of(BOB, Set.of(ADMINS))))
                  .allowed())
          .as("an equal entity that is another object")
          .isTrue();
      assertThat(authorizer.rememberedStores()).isEqualTo(2);
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), List.of(bobIsAdmin)).allowed())
          .isTrue();
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked()).allowed())
          .as("without the request's entities bob is in no role")
          .isFalse();
    }
  }

  @Test
  void checkKeepsABoundedNumberOfEntityStores() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.NONE)) {
      for (int i = 0; i <= 4096; i++) {
        authorizer.check(BOB, READ, DOC, Map.of(), List.of(Entity.of(BOB, Set.of(ADMINS))));
      }

      assertThat(authorizer.rememberedStores()).isEqualTo(1);
    }
  }

  @Test
  void checkWhenARequestEntityReplacesALiveOneThenItAppliesAndItsStoreIsNotKept() throws Exception {
    writePoliciesWithBobAsAdmin();
    try (ServiceAuthorizer authorizer =
        authorizer(DirectoryPolicySource.of(dir), DecisionAudit.NONE)) {
      List<Entity> bobInNoRole = List.of(Entity.of(BOB, Set.of()));

      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), bobInNoRole).allowed()).isFalse();
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), bobInNoRole).allowed()).isFalse();
      assertThat(authorizer.rememberedStores()).isZero();
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked()).allowed()).isTrue();
    }
  }

  @Test
  void refreshWhenTheEntitiesChangeThenKeptStoresAreNotUsedAgain() throws Exception {
    EntityUid ops = EntityUid.of("Role", "ops");
    Files.writeString(dir.resolve("docs.cedar"), POLICIES);
    Files.writeString(
        dir.resolve("entities.json"),
        """
        [{"uid": {"type": "Role", "id": "ops"}, "attrs": {},
          "parents": [{"type": "Role", "id": "admin"}]}]
        """);
    try (ServiceAuthorizer authorizer =
        authorizer(DirectoryPolicySource.of(dir), DecisionAudit.NONE)) {
      List<Entity> bobInOps = List.of(Entity.of(BOB, Set.of(ops)));
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), bobInOps).allowed()).isTrue();
      assertThat(authorizer.rememberedStores()).isEqualTo(1);

      Files.writeString(dir.resolve("entities.json"), "[]");
      assertThat(authorizer.refresh()).isTrue();

      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked(), bobInOps).allowed())
          .as("ops is no longer in admin")
          .isFalse();
    }
  }

  @Test
  void checkWhenNoPolicySetEverLoadedThenEverythingIsDenied() {
    try (ServiceAuthorizer authorizer =
        authorizer(DirectoryPolicySource.of(dir.resolve("missing")), DecisionAudit.ALL)) {
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of());

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.NO_POLICIES);
      assertThat(decision.reason()).contains("no policy set loaded from").contains("missing");
      assertThat(authorizer.version()).isEmpty();
    }
  }

  @Test
  void checkWhenAForbidRaisesAnErrorThenDeniedThoughAPermitMatches() {
    // 'locked' is a string here: the forbid cannot be evaluated, and might have matched.
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      Decision decision =
          authorizer.check(
              BOB,
              DELETE,
              DOC,
              Map.of("locked", new StringValue("yes")),
              List.of(Entity.of(BOB, Set.of(ADMINS))));

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.FORBID_ERRORED);
      assertThat(decision.errorPolicies()).containsExactly("no-deleting-locked");
      assertThat(decision.reason()).doesNotContain("yes");
    }
  }

  @Test
  void checkWhenAPermitRaisesAnErrorThenItDoesNotPermit() {
    String cedar =
        """
        @id("needs-amount")
        permit (principal, action, resource) when { context.amount < 10 };
        """;
    try (ServiceAuthorizer authorizer = authorizer(fixed(cedar), DecisionAudit.ALL)) {
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of());

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.NO_PERMIT);
      assertThat(decision.errorPolicies()).containsExactly("needs-amount");
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of("amount", new LongValue(3))).allowed())
          .isTrue();
    }
  }

  @Test
  void checkWhenTheEngineThrowsThenDeniedAsEvaluationFailed() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      // Request entities that blow up when read stand for any failure inside the engine.
      List<Entity> broken =
          new AbstractList<>() {
            @Override
            public Entity get(int index) {
              throw new IllegalStateException("broken entity store");
            }

            @Override
            public int size() {
              return 1;
            }
          };
      Decision decision = authorizer.check(ALICE, READ, DOC, Map.of(), broken);

      assertThat(decision.allowed()).isFalse();
      assertThat(decision.basis()).isEqualTo(Decision.Basis.EVALUATION_FAILED);
      assertThat(events)
          .last()
          .extracting(AuditEvent::outcome)
          .isEqualTo(AuditEvent.Outcome.DENIED);
    }
  }

  @Test
  void refreshWhenAPolicyFileChangesThenTheNewSetGoesLive() throws Exception {
    try (ServiceAuthorizer authorizer = watchingDirectory()) {
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isFalse();
      String before = authorizer.version().orElseThrow();

      Files.writeString(
          dir.resolve("bob.cedar"),
          "@id(\"bob-reads\") permit (principal == User::\"bob\", action == Action::\"read\", resource);");

      assertThat(authorizer.refresh()).isTrue();
      assertThat(authorizer.version()).isPresent().get().isNotEqualTo(before);
      Decision decision = authorizer.check(BOB, READ, DOC, Map.of());
      assertThat(decision.allowed()).isTrue();
      assertThat(decision.determiningPolicies()).containsExactly("bob-reads");
      assertThat(authorizer.refresh()).as("nothing changed since").isFalse();
    }
  }

  @Test
  void refreshWhenAFileDoesNotParseThenTheGoodSetStaysLive() throws Exception {
    try (ServiceAuthorizer authorizer = watchingDirectory()) {
      String good = authorizer.version().orElseThrow();

      // Half a policy that would allow everyone, as an editor might save it mid-change.
      Files.writeString(dir.resolve("docs.cedar"), POLICIES + "\npermit (principal, action, ");

      assertThat(authorizer.refresh()).isFalse();
      assertThat(authorizer.version()).contains(good);
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isFalse();
    }
  }

  @Test
  void refreshWhenEntitiesAreMalformedOrPolicyIdsClashThenTheGoodSetStaysLive() throws Exception {
    try (ServiceAuthorizer authorizer = watchingDirectory()) {
      String good = authorizer.version().orElseThrow();

      Files.writeString(dir.resolve("entities.json"), "{not json");
      assertThat(authorizer.refresh()).isFalse();
      Files.delete(dir.resolve("entities.json"));
      Files.writeString(
          dir.resolve("more.cedar"), "@id(\"alice-reads\") permit (principal, action, resource);");
      assertThat(authorizer.refresh()).isFalse();

      assertThat(authorizer.version()).contains(good);
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isFalse();
    }
  }

  @Test
  void refreshWhenEveryPolicyFileIsGoneThenTheGoodSetStaysLive() throws Exception {
    try (ServiceAuthorizer authorizer = watchingDirectory()) {
      Files.delete(dir.resolve("docs.cedar"));

      assertThat(authorizer.refresh()).isFalse();
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();
    }
  }

  @Test
  void refreshWhenThePoliciesDoNotValidateAgainstTheSchemaThenTheGoodSetStaysLive()
      throws Exception {
    Files.writeString(
        dir.resolve("schema.cedarschema"),
        """
        entity Role;
        entity User in [Role];
        entity Document;
        action read, delete appliesTo { principal: [User], resource: [Document],
          context: { locked?: Bool } };
        """);
    Files.writeString(
        dir.resolve("docs.cedar"),
        "@id(\"alice-reads\") permit (principal == User::\"alice\", action == Action::\"read\","
            + " resource);");
    try (ServiceAuthorizer authorizer =
        authorizer(DirectoryPolicySource.of(dir), DecisionAudit.NONE)) {
      String good = authorizer.version().orElseThrow();

      // Parses, but compares a string with a long: the validator refuses it.
      Files.writeString(
          dir.resolve("typo.cedar"),
          "@id(\"typo\") permit (principal, action == Action::\"read\", resource)"
              + " when { \"1\" > 0 };");

      assertThat(authorizer.refresh()).isFalse();
      assertThat(authorizer.version()).contains(good);
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isFalse();
    }
  }

  // The reference policies, and an entities file that makes bob an admin.
  private void writePoliciesWithBobAsAdmin() throws IOException {
    Files.writeString(dir.resolve("docs.cedar"), POLICIES);
    Files.writeString(
        dir.resolve("entities.json"),
        """
        [{"uid": {"type": "User", "id": "bob"}, "attrs": {},
          "parents": [{"type": "Role", "id": "admin"}]}]
        """);
  }

  @Test
  void directoryEntitiesPutPrincipalsInRoles() throws Exception {
    writePoliciesWithBobAsAdmin();
    try (ServiceAuthorizer authorizer =
        authorizer(DirectoryPolicySource.of(dir), DecisionAudit.NONE)) {
      assertThat(authorizer.check(BOB, DELETE, DOC, unlocked()).allowed()).isTrue();
    }
  }

  @Test
  void auditEventsCarryDeterminingAndErrorPoliciesButNoContextValues() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      authorizer.check(ALICE, READ, DOC, Map.of("secret", new StringValue("s3cr3t")));
      authorizer.check(
          BOB,
          DELETE,
          DOC,
          Map.of("locked", new StringValue("s3cr3t")),
          List.of(Entity.of(BOB, Set.of(ADMINS))));

      assertThat(events).hasSize(2);
      AuditEvent allow = events.get(0);
      assertThat(allow.component()).isEqualTo("docs");
      assertThat(allow.action()).isEqualTo("policy.decision");
      assertThat(allow.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
      assertThat(allow.attributes())
          .containsEntry("principal", "User::\"alice\"")
          .containsEntry("requested_action", "Action::\"read\"")
          .containsEntry("resource", "Document::\"d1\"")
          .containsEntry("decision", "allow")
          .containsEntry("determining_policies", "alice-reads")
          .containsEntry("error_policies", "")
          .containsEntry("policy_version", "1");
      AuditEvent deny = events.get(1);
      assertThat(deny.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
      assertThat(deny.attributes())
          .containsEntry("decision", "deny")
          .containsEntry("reason", "forbid_errored")
          .containsEntry("error_policies", "no-deleting-locked");
      assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain("s3cr3t"));
    }
  }

  @Test
  void auditDetailsOfTheCallerAreAddedButCannotRewriteTheDecision() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.ALL)) {
      Decision decision =
          authorizer.check(
              BOB,
              READ,
              DOC,
              Map.of(),
              List.of(),
              event ->
                  event
                      .sourceAddress("192.0.2.7")
                      .attribute("decision", "allow")
                      .attribute("policy_version", "forged"));

      assertThat(decision.allowed()).isFalse();
      assertThat(events).hasSize(1);
      assertThat(events.get(0).attributes())
          .containsEntry("source_address", "192.0.2.7")
          .containsEntry("decision", "deny")
          .containsEntry("policy_version", "1");
    }
  }

  @Test
  void decisionNamesThePolicyVersionThatTookIt() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.NONE)) {
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).policyVersion()).isEqualTo("1");
    }
  }

  @Test
  void auditDeniesOnlyLeavesAllowsOut() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.DENIES)) {
      authorizer.check(ALICE, READ, DOC, Map.of());
      authorizer.check(BOB, READ, DOC, Map.of());

      assertThat(events)
          .singleElement()
          .extracting(AuditEvent::subject)
          .isEqualTo(Optional.of("User::\"bob\""));
    }
  }

  @Test
  void auditNoneReportsNothing() {
    try (ServiceAuthorizer authorizer = authorizer(fixed(POLICIES), DecisionAudit.NONE)) {
      authorizer.check(BOB, READ, DOC, Map.of());

      assertThat(events).isEmpty();
    }
  }

  @Test
  void aFailingAuditSinkDoesNotChangeTheDecision() {
    try (ServiceAuthorizer authorizer =
        ServiceAuthorizer.builder("docs")
            .source(fixed(POLICIES))
            .audit(
                event -> {
                  throw new IllegalStateException("collector down");
                },
                DecisionAudit.ALL)
            .refreshEvery(Duration.ZERO)
            .build()) {
      assertThat(authorizer.check(ALICE, READ, DOC, Map.of()).allowed()).isTrue();
    }
  }

  @Test
  void buildWithoutASourceIsRefused() {
    assertThatThrownBy(() -> ServiceAuthorizer.builder("docs").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("source");
  }

  @Test
  void refreshesOnItsOwnEveryInterval() throws Exception {
    Files.writeString(dir.resolve("docs.cedar"), POLICIES);
    try (ServiceAuthorizer authorizer =
        ServiceAuthorizer.builder("docs")
            .source(DirectoryPolicySource.of(dir))
            .refreshEvery(Duration.ofMillis(100))
            .build()) {
      Files.writeString(
          dir.resolve("bob.cedar"),
          "permit (principal == User::\"bob\", action == Action::\"read\", resource);");

      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!authorizer.check(BOB, READ, DOC, Map.of()).allowed()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(authorizer.check(BOB, READ, DOC, Map.of()).allowed()).isTrue();
    }
  }
}
