package dev.bulwark.examples.profiles;

import static java.util.Objects.requireNonNull;

import dev.bulwark.examples.Caller;
import dev.bulwark.examples.profiles.SupportTickets.Ticket;
import dev.bulwark.policy.Entity;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.RecordValue;
import dev.bulwark.policy.value.StringValue;
import dev.bulwark.policy.value.Value;
import dev.bulwark.sdk.policy.Decision;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The questions profiles asks its policies ({@code policies/profiles/profiles.cedar}): may this
 * caller read or update this profile, with the support ticket it names, if any.
 */
final class ProfileAccess {
  static final EntityUid READ = EntityUid.of("Action", "read");
  static final EntityUid UPDATE = EntityUid.of("Action", "update");

  private final ServiceAuthorizer authorizer;

  ProfileAccess(ServiceAuthorizer authorizer) {
    this.authorizer = requireNonNull(authorizer, "authorizer");
  }

  /** {@code action} ({@link #READ} or {@link #UPDATE}) on the profile of {@code owner}. */
  Decision may(EntityUid action, Caller caller, String owner, Optional<Ticket> ticket) {
    EntityUid profile = EntityUid.of("Profile", owner);
    Map<String, Value> context =
        ticket
            .<Map<String, Value>>map(
                t ->
                    Map.of(
                        "ticket",
                        new RecordValue(
                            Map.of(
                                "id", new StringValue(t.id()),
                                "status", new StringValue(t.status()),
                                "subject", EntityUid.of("User", t.subject())))))
            .orElse(Map.of());
    Entity resource =
        new Entity(profile, Map.of("owner", EntityUid.of("User", owner)), Set.of(), Map.of());
    return authorizer.check(
        caller.uid(), action, profile, context, List.of(caller.entity(), resource));
  }
}
