package dev.bulwark.examples.profiles;

import dev.bulwark.examples.ReferenceService;
import dev.bulwark.examples.ResourceServer;
import dev.bulwark.examples.ServiceSettings;
import dev.bulwark.runtime.http.HttpListener;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.sdk.token.AccessToken;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The reference profiles service: personal data that only its owner may read or change.
 *
 * <p>Scopes: {@code profiles:read} to read, {@code profiles:write} to change.
 */
public final class ProfilesService {
  /** The audience (RFC 8707 resource indicator) of profiles tokens. */
  public static final String AUDIENCE = "urn:bulwark:profiles";

  // Deliberately simple: a dot after the @ and no spaces; real verification is by sending mail.
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

  private final ProfileStore store;
  private final ResourceServer resourceServer;

  private ProfilesService(ProfileStore store, ResourceServer resourceServer) {
    this.store = store;
    this.resourceServer = resourceServer;
  }

  public static ReferenceService start(
      ServiceSettings settings, HttpListener.Builder listener, Clock clock) {
    return ReferenceService.start(
        "profiles",
        settings,
        listener,
        (HttpRouting.Builder routing, ResourceServer resourceServer, Database database) ->
            new ProfilesService(new ProfileStore(database, clock), resourceServer)
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
    respondWith(res, store.find(token.get().subject()), token.get().subject());
  }

  private void read(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "profiles:read");
    if (token.isEmpty() || !owns(token.get(), req, res)) {
      return;
    }
    respondWith(res, store.find(token.get().subject()), token.get().subject());
  }

  private void write(ServerRequest req, ServerResponse res) {
    Optional<AccessToken> token = resourceServer.requireScope(req, res, "profiles:write");
    if (token.isEmpty() || !owns(token.get(), req, res)) {
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
    Profile saved = store.save(token.get().subject(), displayName, email);
    HttpResponses.json(res, Status.OK_200, saved.toJson());
  }

  // Owner-only: another subject's profile is refused outright (it is personal data).
  private static boolean owns(AccessToken token, ServerRequest req, ServerResponse res) {
    if (token.subject().equals(req.path().pathParameters().get("id"))) {
      return true;
    }
    HttpResponses.error(
        res, Status.FORBIDDEN_403, "access_denied", "only the owner may access this profile");
    return false;
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
