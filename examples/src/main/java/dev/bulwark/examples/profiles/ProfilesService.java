package dev.bulwark.examples.profiles;

import dev.bulwark.examples.Caller;
import dev.bulwark.examples.ReferencePolicies;
import dev.bulwark.examples.ReferenceService;
import dev.bulwark.examples.ResourceServer;
import dev.bulwark.examples.ServiceSettings;
import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.policy.ServiceAuthorizer;
import dev.bulwark.sdk.token.AccessToken;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The reference profiles service: personal data that only its owner may read or change — or support
 * staff (role {@code support}) working an open ticket its owner raised, named in the {@code
 * Support-Ticket} request header.
 *
 * <p>Scopes: {@code profiles:read} to read, {@code profiles:write} to change. The access policies
 * ({@code policies/profiles/profiles.cedar}) decide each access to a profile.
 */
public final class ProfilesService {
  /** The audience (RFC 8707 resource indicator) of profiles tokens. */
  public static final String AUDIENCE = "urn:bulwark:profiles";

  // Deliberately simple: a dot after the @ and no spaces; real verification is by sending mail.
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

  /** The request header naming the support ticket an agent works on. */
  public static final String TICKET_HEADER = "Support-Ticket";

  private final ProfileStore store;
  private final SupportTickets tickets;
  private final ResourceServer resourceServer;
  private final ProfileAccess access;

  private ProfilesService(
      ProfileStore store,
      SupportTickets tickets,
      ResourceServer resourceServer,
      ProfileAccess access) {
    this.store = store;
    this.tickets = tickets;
    this.resourceServer = resourceServer;
    this.access = access;
  }

  /** Starts the service on its shipped policies. */
  public static ReferenceService start(
      ServiceSettings settings, HttpListener.Builder listener, Clock clock) {
    return start(settings, listener, clock, ReferencePolicies.authorizer("profiles"));
  }

  /** Starts the service deciding with {@code authorizer} (which the caller closes). */
  public static ReferenceService start(
      ServiceSettings settings,
      HttpListener.Builder listener,
      Clock clock,
      ServiceAuthorizer authorizer) {
    ProfileAccess access = new ProfileAccess(authorizer);
    return ReferenceService.start(
        "profiles",
        settings,
        listener,
        (HttpRouting.Builder routing, ResourceServer resourceServer, Database database) ->
            new ProfilesService(
                    new ProfileStore(database, clock),
                    new SupportTickets(database),
                    resourceServer,
                    access)
                .register(routing));
  }

  private void register(HttpRouting.Builder routing) {
    routing
        .get("/profiles/me", this::readMine)
        .get("/profiles/{id}", this::read)
        .put("/profiles/{id}", this::write);
  }

  private void readMine(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "profiles:read");
    if (token.isEmpty()) {
      return;
    }
    String id = token.get().subject();
    if (allowed(req, res, token.get(), ProfileAccess.READ, id)) {
      respondWith(res, store.find(id), id);
    }
  }

  private void read(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "profiles:read");
    String id = req.path().pathParameters().get("id");
    if (token.isEmpty() || !allowed(req, res, token.get(), ProfileAccess.READ, id)) {
      return;
    }
    respondWith(res, store.find(id), id);
  }

  private void write(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "profiles:write");
    String id = req.path().pathParameters().get("id");
    if (token.isEmpty() || !allowed(req, res, token.get(), ProfileAccess.UPDATE, id)) {
      return;
    }
    Optional<JsonNode> body = ResourceServer.jsonBody(req, res);
    if (body.isEmpty()) {
      return;
    }
    String displayName = body.get().path("display_name").asString("").strip();
    if (displayName.isEmpty()
        || displayName.length() > 100
        || displayName.chars().anyMatch(Character::isISOControl)) {
      ResourceServer.invalidField(res, "display_name", "expected 1 to 100 printable characters");
      return;
    }
    String email = body.get().path("email").asString("").strip();
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      ResourceServer.invalidField(
          res, "email", "expected an email address such as ada@example.com");
      return;
    }
    Profile saved = store.save(id, displayName, email);
    HttpResponses.json(res, Status.OK_200, saved.toJson());
  }

  // Another subject's profile is refused outright, not reported absent: the id is the subject's,
  // so there is nothing to probe, and a support agent needs to know the ticket did not suffice.
  private boolean allowed(
      ServerRequest req, ServerResponse res, AccessToken token, EntityUid action, String id) {
    Optional<SupportTickets.Ticket> ticket =
        req.headers().first(HeaderNames.create(TICKET_HEADER)).flatMap(tickets::find);
    return ResourceServer.permitted(res, access.may(action, Caller.of(token), id, ticket));
  }

  private static void respondWith(ServerResponse res, Optional<Profile> profile, String subject) {
    if (profile.isEmpty()) {
      HttpResponses.error(
          res,
          Status.NOT_FOUND_404,
          "not_found",
          "no profile yet; create it with PUT /profiles/" + subject);
      return;
    }
    HttpResponses.json(res, Status.OK_200, profile.get().toJson());
  }
}
