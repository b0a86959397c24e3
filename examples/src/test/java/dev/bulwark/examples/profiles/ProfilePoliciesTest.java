package dev.bulwark.examples.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.examples.Caller;
import dev.bulwark.examples.ReferencePolicies;
import dev.bulwark.examples.profiles.SupportTickets.Ticket;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shipped profiles policies, rule by rule, each with the requests it must refuse. */
class ProfilePoliciesTest {
  private static final Caller ADA = new Caller("ada", Set.of(), false);
  private static final Caller SAM = new Caller("sam", Set.of("support"), false);

  private final ServiceAuthorizer authorizer = ReferencePolicies.authorizer("profiles", e -> {});
  private final ProfileAccess access = new ProfileAccess(authorizer);

  @AfterEach
  void close() {
    authorizer.close();
  }

  private Decision read(Caller caller, String owner, Optional<Ticket> ticket) {
    return access.may(ProfileAccess.READ, caller, owner, ticket);
  }

  private Decision update(Caller caller, String owner, Optional<Ticket> ticket) {
    return access.may(ProfileAccess.UPDATE, caller, owner, ticket);
  }

  @Test
  void theOwnerReadsAndUpdatesTheirProfile() {
    assertThat(read(ADA, "ada", Optional.empty()).determiningPolicies())
        .containsExactly("owner-reads-and-updates-own-profile");
    assertThat(update(ADA, "ada", Optional.empty()).allowed()).isTrue();
  }

  @Test
  void someoneElsesProfileIsRefused() {
    assertThat(read(ADA, "bob", Optional.empty()).allowed()).isFalse();
    assertThat(update(ADA, "bob", Optional.empty()).allowed()).isFalse();
  }

  @Test
  void supportWithAnOpenTicketOfTheOwnerReadsAndUpdates() {
    Optional<Ticket> open = Optional.of(new Ticket("T-1", "ada", "open"));

    assertThat(read(SAM, "ada", open).determiningPolicies())
        .containsExactly("support-with-open-ticket-of-the-owner");
    assertThat(update(SAM, "ada", open).allowed()).isTrue();
  }

  @Test
  void supportWithoutATicketIsRefused() {
    assertThat(read(SAM, "ada", Optional.empty()).allowed()).isFalse();
  }

  @Test
  void supportWithAClosedTicketIsRefused() {
    Optional<Ticket> closed = Optional.of(new Ticket("T-1", "ada", "closed"));

    assertThat(read(SAM, "ada", closed).allowed()).isFalse();
    assertThat(update(SAM, "ada", closed).allowed()).isFalse();
  }

  @Test
  void supportWithAnOpenTicketOfSomeoneElseIsRefused() {
    assertThat(read(SAM, "ada", Optional.of(new Ticket("T-2", "bob", "open"))).allowed()).isFalse();
  }

  @Test
  void anOpenTicketWithoutTheSupportRoleIsRefused() {
    Caller bob = new Caller("bob", Set.of("finance"), true);

    assertThat(read(bob, "ada", Optional.of(new Ticket("T-1", "ada", "open"))).allowed()).isFalse();
  }
}
