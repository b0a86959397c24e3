package dev.bulwark.identity.internal.admin;

import static java.util.Objects.requireNonNull;

import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.AuditSink;
import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.identity.MfaStatus;
import dev.bulwark.identity.UserAccount;
import dev.bulwark.identity.UserGroup;
import dev.bulwark.identity.internal.ClientRegistrationJson;
import dev.bulwark.identity.internal.ClientStore;
import dev.bulwark.identity.internal.RequestAudit;
import dev.bulwark.identity.internal.SessionStore;
import dev.bulwark.identity.internal.SigningKeyRing;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.identity.internal.UserSession;
import dev.bulwark.runtime.http.HttpResponses;
import dev.bulwark.runtime.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The identity admin API under {@code /admin/v1/} (JSON): users, groups, clients, sessions and
 * signing keys. Every call needs a bearer access token from this provider for {@code
 * urn:bulwark:admin} with the {@code identity-admin} role ({@link AdminTokenVerifier}); every
 * change is audited with the administrator as actor, never with a secret.
 */
public final class AdminApi implements HttpService {
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  /**
   * What the admin API administers.
   *
   * @param clients the client registrations
   * @param users users, groups and roles
   * @param sessions sign-in sessions
   * @param keys the signing keys
   * @param mfa users' second factors
   */
  public record Stores(
      ClientStore clients,
      UserDirectory users,
      SessionStore sessions,
      SigningKeyRing keys,
      SecondFactors mfa) {
    public Stores {
      requireNonNull(clients, "clients");
      requireNonNull(users, "users");
      requireNonNull(sessions, "sessions");
      requireNonNull(keys, "keys");
      requireNonNull(mfa, "mfa");
    }
  }

  /**
   * Users' second factors, as the provider manages them ({@code IdentityProvider.mfaStatus} and
   * {@code resetMfa}), so that the admin API resets exactly what the provider would.
   */
  public interface SecondFactors {
    /** Which second factors an existing user has. */
    MfaStatus status(String userId);

    /** Removes every second factor of an existing user and ends their sessions. */
    void reset(String userId);
  }

  private final Stores stores;
  private final AdminTokenVerifier verifier;
  private final AuditSink audit;
  private final Clock clock;

  public AdminApi(Stores stores, AdminTokenVerifier verifier, AuditSink audit, Clock clock) {
    this.stores = requireNonNull(stores, "stores");
    this.verifier = requireNonNull(verifier, "verifier");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  // An admin call: the request, who makes it, and through which client.
  private record Call(ServerRequest req, String actor, Optional<String> clientId) {
    String param(String name) {
      return req.path().pathParameters().get(name);
    }
  }

  @FunctionalInterface
  private interface Action {
    Answer run(Call call);
  }

  // What an action answers: a status and a JSON body.
  private record Answer(Status status, Object body) {
    static Answer ok(Object body) {
      return new Answer(Status.OK_200, body);
    }
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/users", admin(this::listUsers))
        .post("/users", admin(this::createUser))
        .get("/users/{user}", admin(c -> Answer.ok(userJson(user(c)))))
        .patch("/users/{user}", admin(this::updateUser))
        .delete("/users/{user}", admin(this::deleteUser))
        .put("/users/{user}/password", admin(this::setPassword))
        .put("/users/{user}/roles/{role}", admin(this::grantRole))
        .delete("/users/{user}/roles/{role}", admin(this::revokeRole))
        .get("/users/{user}/mfa", admin(this::mfaStatus))
        .delete("/users/{user}/mfa", admin(this::resetMfa))
        .get("/users/{user}/sessions", admin(this::listSessions))
        .delete("/users/{user}/sessions", admin(this::revokeAllSessions))
        .delete("/sessions/{sid}", admin(this::revokeSession))
        .get("/groups", admin(this::listGroups))
        .post("/groups", admin(this::createGroup))
        .get("/groups/{group}", admin(c -> Answer.ok(groupJson(group(c)))))
        .delete("/groups/{group}", admin(this::deleteGroup))
        .put("/groups/{group}/members/{user}", admin(this::addMember))
        .delete("/groups/{group}/members/{user}", admin(this::removeMember))
        .put("/groups/{group}/roles/{role}", admin(this::grantGroupRole))
        .delete("/groups/{group}/roles/{role}", admin(this::revokeGroupRole))
        .get("/clients", admin(this::listClients))
        .post("/clients", admin(this::createClient))
        .get("/clients/{client}", admin(c -> Answer.ok(ClientRegistrationJson.toJson(client(c)))))
        .put("/clients/{client}", admin(this::updateClient))
        .delete("/clients/{client}", admin(this::deleteClient))
        .post("/clients/{client}/secret", admin(this::rotateSecret))
        .get("/keys", admin(this::listKeys))
        .post("/keys/rotate", admin(this::rotateKeys))
        .any(
            "/*",
            admin(
                c -> {
                  throw new AdminError(
                      Status.NOT_FOUND_404, "not_found", "no such admin resource or method");
                }));
  }

  // Authenticates and authorizes the call, runs the action, renders its answer or error.
  private io.helidon.webserver.http.Handler admin(Action action) {
    return (req, res) -> {
      AdminTokenVerifier.Decision decision =
          verifier.verify(req.headers().first(HeaderNames.AUTHORIZATION));
      switch (decision) {
        case AdminTokenVerifier.Unauthenticated(boolean presented, String reason) -> {
          // RFC 6750 §3: a challenge always; the error code only if a token was presented.
          res.header(
              HeaderNames.WWW_AUTHENTICATE,
              presented
                  ? "Bearer realm=\"bulwark-admin\", error=\"invalid_token\""
                  : "Bearer realm=\"bulwark-admin\"");
          if (presented) {
            audit.emit(
                event(req, "admin.access", AuditEvent.Outcome.FAILURE).reason(reason).build());
          }
          HttpResponses.error(res, Status.UNAUTHORIZED_401, "invalid_token", reason);
        }
        case AdminTokenVerifier.Forbidden(String actor) -> {
          audit.emit(
              event(req, "admin.access", AuditEvent.Outcome.FAILURE)
                  .subject(actor)
                  .reason("no " + AdminTokenVerifier.ROLE + " role")
                  .build());
          res.header(
              HeaderNames.WWW_AUTHENTICATE,
              "Bearer realm=\"bulwark-admin\", error=\"insufficient_scope\"");
          HttpResponses.error(
              res,
              Status.FORBIDDEN_403,
              "insufficient_scope",
              "the token lacks the " + AdminTokenVerifier.ROLE + " role");
        }
        case AdminTokenVerifier.Admin(String actor, Optional<String> clientId) ->
            run(action, new Call(req, actor, clientId), res);
      }
    };
  }

  private void run(Action action, Call call, ServerResponse res) {
    try {
      Answer answer = action.run(call);
      HttpResponses.json(res, answer.status(), answer.body());
    } catch (AdminError e) {
      HttpResponses.error(res, e.status, e.error, e.getMessage());
    } catch (IdentityException e) {
      HttpResponses.error(res, status(e.code()), error(e.code()), e.getMessage());
    } catch (IllegalArgumentException e) {
      // Validating constructors (records, builders) say what is wrong with the input.
      HttpResponses.error(res, Status.BAD_REQUEST_400, "invalid_request", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("admin call {} {} failed", call.req().prologue().method().text(), path(call), e);
      HttpResponses.error(
          res, Status.INTERNAL_SERVER_ERROR_500, "server_error", "the call failed; see the logs");
    }
  }

  private static String path(Call call) {
    return call.req().path().path();
  }

  private static Status status(IdentityException.Code code) {
    return switch (code) {
      case USER_EXISTS, CLIENT_EXISTS, GROUP_EXISTS -> Status.CONFLICT_409;
      case USER_NOT_FOUND, CLIENT_NOT_FOUND, GROUP_NOT_FOUND -> Status.NOT_FOUND_404;
      case SIGNING_KEY_UNAVAILABLE, SIGNING_KEY_UNREADABLE -> Status.SERVICE_UNAVAILABLE_503;
      default -> Status.BAD_REQUEST_400;
    };
  }

  private static String error(IdentityException.Code code) {
    return switch (status(code).code()) {
      case 409 -> "conflict";
      case 404 -> "not_found";
      case 503 -> "temporarily_unavailable";
      default -> "invalid_request";
    };
  }

  // Users.

  private Answer listUsers(Call call) {
    ArrayNode users = Json.MAPPER.createArrayNode();
    stores.users().list().forEach(u -> users.add(userJson(u)));
    return Answer.ok(Json.object().set("users", users));
  }

  private Answer createUser(Call call) {
    JsonNode body = body(call);
    onlyFields(body, USER_FIELDS);
    String username = requiredText(body, "username");
    String name = displayName(optionalText(body, "name").orElse(username));
    Optional<String> email = email(optionalText(body, "email"));
    String password = requiredText(body, "password");
    UserAccount user = stores.users().create(username, name, email, password);
    audit.emit(
        change(call, "admin.user.create")
            .resource("user:" + user.userId())
            .attribute("username", user.username())
            .build());
    return new Answer(Status.CREATED_201, userJson(user));
  }

  private Answer updateUser(Call call) {
    UserAccount user = user(call);
    JsonNode body = body(call);
    onlyFields(body, PATCH_FIELDS);
    JsonNode enabled = body.path("enabled");
    if (!enabled.isMissingNode() && !enabled.isBoolean()) {
      throw invalid("enabled: expected true or false");
    }
    boolean profile = body.has("name") || body.has("email");
    if (enabled.isMissingNode() && !profile) {
      throw invalid("nothing to change (expected: enabled, name or email)");
    }
    if (profile) {
      String name = optionalText(body, "name").orElse(user.displayName());
      Optional<String> email = body.has("email") ? optionalText(body, "email") : user.email();
      if (name.isBlank()) {
        throw invalid("name: must not be blank");
      }
      stores.users().updateProfile(user.userId(), name, email);
    }
    if (enabled.isBoolean()) {
      stores.users().setEnabled(user.userId(), enabled.asBoolean());
      if (!enabled.asBoolean()) {
        // A disabled user is out at once, not when their sessions expire.
        stores.sessions().revokeAll(user.userId());
      }
    }
    audit.emit(
        change(call, "admin.user.update")
            .resource("user:" + user.userId())
            .attribute("fields", String.join(",", fieldNames(body)))
            .build());
    return Answer.ok(userJson(stores.users().byId(user.userId()).orElseThrow()));
  }

  private Answer deleteUser(Call call) {
    UserAccount user = user(call);
    stores.sessions().revokeAll(user.userId());
    stores.users().delete(user.userId());
    audit.emit(
        change(call, "admin.user.delete")
            .resource("user:" + user.userId())
            .attribute("username", user.username())
            .build());
    return Answer.ok(Json.object().put("deleted", user.userId()));
  }

  private Answer setPassword(Call call) {
    UserAccount user = user(call);
    String password = requiredText(body(call), "password");
    stores.users().setPassword(user.userId(), password);
    audit.emit(change(call, "admin.user.password").resource("user:" + user.userId()).build());
    return Answer.ok(Json.object().put("user_id", user.userId()).put("password_changed", true));
  }

  private Answer grantRole(Call call) {
    UserAccount user = user(call);
    String role = call.param("role");
    stores.users().grantRole(user.userId(), role);
    audit.emit(
        change(call, "admin.role.grant")
            .resource("user:" + user.userId())
            .attribute("role", role)
            .build());
    return Answer.ok(userJson(stores.users().byId(user.userId()).orElseThrow()));
  }

  private Answer revokeRole(Call call) {
    UserAccount user = user(call);
    String role = call.param("role");
    stores.users().revokeRole(user.userId(), role);
    audit.emit(
        change(call, "admin.role.revoke")
            .resource("user:" + user.userId())
            .attribute("role", role)
            .build());
    return Answer.ok(userJson(stores.users().byId(user.userId()).orElseThrow()));
  }

  // Second factors.

  private Answer mfaStatus(Call call) {
    UserAccount user = user(call);
    MfaStatus status = stores.mfa().status(user.userId());
    return Answer.ok(
        Json.object()
            .put("user_id", user.userId())
            .put("totp", status.totp())
            .put("recovery_codes_left", status.recoveryCodesLeft())
            .put("passkeys", status.passkeys()));
  }

  // For a user who lost their device: every second factor goes and every session ends, so
  // whoever holds the device is out too.
  private Answer resetMfa(Call call) {
    UserAccount user = user(call);
    stores.mfa().reset(user.userId());
    audit.emit(change(call, "admin.mfa.reset").resource("user:" + user.userId()).build());
    return Answer.ok(Json.object().put("user_id", user.userId()).put("mfa_reset", true));
  }

  // Sessions.

  private Answer listSessions(Call call) {
    UserAccount user = user(call);
    ArrayNode sessions = Json.MAPPER.createArrayNode();
    stores.sessions().forUser(user.userId()).forEach(s -> sessions.add(sessionJson(s)));
    return Answer.ok(Json.object().put("user_id", user.userId()).set("sessions", sessions));
  }

  private Answer revokeSession(Call call) {
    String sid = call.param("sid");
    UserSession session =
        stores
            .sessions()
            .byId(sid)
            .orElseThrow(
                () -> new AdminError(Status.NOT_FOUND_404, "not_found", "no session " + sid));
    boolean wasActive = stores.sessions().revoke(sid);
    audit.emit(
        change(call, "admin.session.revoke")
            .resource("session:" + sid)
            .attribute("user_id", session.userId())
            .build());
    return Answer.ok(Json.object().put("sid", sid).put("was_active", wasActive));
  }

  private Answer revokeAllSessions(Call call) {
    UserAccount user = user(call);
    int revoked = stores.sessions().revokeAll(user.userId());
    audit.emit(
        change(call, "admin.session.revoke_all")
            .resource("user:" + user.userId())
            .attribute("revoked", Integer.toString(revoked))
            .build());
    return Answer.ok(Json.object().put("user_id", user.userId()).put("revoked", revoked));
  }

  // Groups.

  private Answer listGroups(Call call) {
    ArrayNode groups = Json.MAPPER.createArrayNode();
    stores.users().groups().forEach(g -> groups.add(groupJson(g)));
    return Answer.ok(Json.object().set("groups", groups));
  }

  private Answer createGroup(Call call) {
    JsonNode body = body(call);
    onlyFields(body, GROUP_FIELDS);
    String name = requiredText(body, "name");
    String description = optionalText(body, "description").orElse("");
    if (description.length() > 400) {
      throw invalid("description: " + description.length() + " characters (expected: <= 400)");
    }
    UserGroup group = stores.users().createGroup(name, description);
    audit.emit(change(call, "admin.group.create").resource("group:" + name).build());
    return new Answer(Status.CREATED_201, groupJson(group));
  }

  private Answer deleteGroup(Call call) {
    UserGroup group = group(call);
    stores.users().deleteGroup(group.name());
    audit.emit(change(call, "admin.group.delete").resource("group:" + group.name()).build());
    return Answer.ok(Json.object().put("deleted", group.name()));
  }

  private Answer addMember(Call call) {
    UserGroup group = group(call);
    UserAccount user = user(call);
    stores.users().addMember(group.name(), user.userId());
    audit.emit(
        change(call, "admin.group.member.add")
            .resource("group:" + group.name())
            .attribute("user_id", user.userId())
            .build());
    return Answer.ok(groupJson(stores.users().group(group.name()).orElseThrow()));
  }

  private Answer removeMember(Call call) {
    UserGroup group = group(call);
    UserAccount user = user(call);
    stores.users().removeMember(group.name(), user.userId());
    audit.emit(
        change(call, "admin.group.member.remove")
            .resource("group:" + group.name())
            .attribute("user_id", user.userId())
            .build());
    return Answer.ok(groupJson(stores.users().group(group.name()).orElseThrow()));
  }

  private Answer grantGroupRole(Call call) {
    UserGroup group = group(call);
    String role = call.param("role");
    stores.users().grantGroupRole(group.name(), role);
    audit.emit(
        change(call, "admin.group.role.grant")
            .resource("group:" + group.name())
            .attribute("role", role)
            .build());
    return Answer.ok(groupJson(stores.users().group(group.name()).orElseThrow()));
  }

  private Answer revokeGroupRole(Call call) {
    UserGroup group = group(call);
    String role = call.param("role");
    stores.users().revokeGroupRole(group.name(), role);
    audit.emit(
        change(call, "admin.group.role.revoke")
            .resource("group:" + group.name())
            .attribute("role", role)
            .build());
    return Answer.ok(groupJson(stores.users().group(group.name()).orElseThrow()));
  }

  // Clients.

  private Answer listClients(Call call) {
    ArrayNode clients = Json.MAPPER.createArrayNode();
    stores.clients().list().forEach(c -> clients.add(ClientRegistrationJson.toJson(c)));
    return Answer.ok(Json.object().set("clients", clients));
  }

  private Answer createClient(Call call) {
    ClientRegistration registration = storable(ClientRegistrationJson.fromJson(body(call)));
    ObjectNode answer = Json.object();
    if (registration.authMethod().usesSecret()) {
      ClientSecret secret = ClientSecret.generate();
      stores.clients().register(registration, secret);
      // Shown once: the store keeps only its hash.
      answer.put("client_secret", secret.reveal());
    } else {
      stores.clients().register(registration);
    }
    answer.set("client", ClientRegistrationJson.toJson(registration));
    audit.emit(
        change(call, "admin.client.create")
            .resource("client:" + registration.clientId())
            .clientId(registration.clientId())
            .build());
    return new Answer(Status.CREATED_201, answer);
  }

  private Answer updateClient(Call call) {
    ClientRegistration existing = client(call);
    JsonNode body = body(call);
    JsonNode id = body.path("client_id");
    if (!id.isMissingNode() && !id.asString("").equals(existing.clientId())) {
      throw invalid("client_id: must be " + existing.clientId() + ", the client being updated");
    }
    ObjectNode document = ((ObjectNode) body).deepCopy();
    document.put("client_id", existing.clientId());
    ClientRegistration registration = storable(ClientRegistrationJson.fromJson(document));
    stores.clients().update(registration);
    audit.emit(
        change(call, "admin.client.update")
            .resource("client:" + registration.clientId())
            .clientId(registration.clientId())
            .build());
    return Answer.ok(ClientRegistrationJson.toJson(registration));
  }

  private Answer deleteClient(Call call) {
    ClientRegistration client = client(call);
    stores.clients().delete(client.clientId());
    audit.emit(
        change(call, "admin.client.delete")
            .resource("client:" + client.clientId())
            .clientId(client.clientId())
            .build());
    return Answer.ok(Json.object().put("deleted", client.clientId()));
  }

  private Answer rotateSecret(Call call) {
    ClientRegistration client = client(call);
    if (!client.authMethod().usesSecret()) {
      throw invalid(
          "client "
              + client.clientId()
              + " authenticates with "
              + client.authMethod().protocolName()
              + " and has no secret");
    }
    ClientSecret secret = ClientSecret.generate();
    stores.clients().replaceSecret(client.clientId(), secret);
    audit.emit(
        change(call, "admin.client.secret.rotate")
            .resource("client:" + client.clientId())
            .clientId(client.clientId())
            .build());
    return Answer.ok(
        Json.object().put("client_id", client.clientId()).put("client_secret", secret.reveal()));
  }

  // Keys.

  private Answer listKeys(Call call) {
    ArrayNode keys = Json.MAPPER.createArrayNode();
    for (SigningKeyRing.KeyInfo key : stores.keys().keys()) {
      keys.add(
          Json.object()
              .put("kid", key.kid())
              .put("alg", key.algorithm().getName())
              .put("state", key.state().name().toLowerCase(java.util.Locale.ROOT))
              .put("created", key.created().toString()));
    }
    return Answer.ok(Json.object().set("keys", keys));
  }

  private Answer rotateKeys(Call call) {
    List<SigningKeyRing.Rotation> rotations = stores.keys().rotateNow();
    ArrayNode rotated = Json.MAPPER.createArrayNode();
    for (SigningKeyRing.Rotation rotation : rotations) {
      audit.emit(
          change(call, "keys.rotate")
              .attribute("algorithm", rotation.algorithm().getName())
              .attribute("previous_kid", rotation.previousKid())
              .attribute("current_kid", rotation.currentKid())
              .attribute("next_kid", rotation.nextKid())
              .build());
      rotated.add(
          Json.object()
              .put("alg", rotation.algorithm().getName())
              .put("previous", rotation.previousKid())
              .put("current", rotation.currentKid())
              .put("next", rotation.nextKid()));
    }
    return Answer.ok(Json.object().set("rotated", rotated));
  }

  // Lookups: a path names a user by id or by username.

  private UserAccount user(Call call) {
    String user = call.param("user");
    return stores
        .users()
        .byId(user)
        .or(() -> stores.users().byUsername(user))
        .orElseThrow(
            () ->
                new IdentityException(
                    IdentityException.Code.USER_NOT_FOUND, "no user " + printable(user)));
  }

  private UserGroup group(Call call) {
    String name = call.param("group");
    return stores
        .users()
        .group(name)
        .orElseThrow(
            () ->
                new IdentityException(
                    IdentityException.Code.GROUP_NOT_FOUND, "no group " + printable(name)));
  }

  private ClientRegistration client(Call call) {
    String id = call.param("client");
    return stores
        .clients()
        .registration(id)
        .orElseThrow(
            () ->
                new IdentityException(
                    IdentityException.Code.CLIENT_NOT_FOUND, "no client " + printable(id)));
  }

  // JSON in and out.

  private static JsonNode body(Call call) {
    if (!call.req().content().hasEntity()) {
      throw invalid("the request has no body (expected: a JSON object)");
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(call.req().content().as(byte[].class));
    } catch (JacksonException e) {
      throw invalid("the body is not JSON: " + e.getOriginalMessage());
    }
    if (body == null || !body.isObject()) {
      throw invalid("the body must be a JSON object");
    }
    return body;
  }

  private static String requiredText(JsonNode body, String field) {
    return optionalText(body, field)
        .filter(value -> !value.isEmpty())
        .orElseThrow(() -> invalid(field + ": missing"));
  }

  private static Optional<String> optionalText(JsonNode body, String field) {
    JsonNode value = body.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isString()) {
      throw invalid(field + ": expected a string");
    }
    return value.asString().isEmpty() ? Optional.empty() : Optional.of(value.asString());
  }

  private static final java.util.Set<String> USER_FIELDS =
      java.util.Set.of("username", "name", "email", "password");
  private static final java.util.Set<String> PATCH_FIELDS =
      java.util.Set.of("enabled", "name", "email");
  private static final java.util.Set<String> GROUP_FIELDS = java.util.Set.of("name", "description");

  // A misspelt field would otherwise be ignored silently, and the change not made.
  private static void onlyFields(JsonNode body, java.util.Set<String> allowed) {
    for (String field : fieldNames(body)) {
      if (!allowed.contains(field)) {
        throw invalid(
            printable(field) + ": unknown field (expected: " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  // The users table holds 200 characters of name and 320 of e-mail address (RFC 5321 §4.5.3.1).
  private static String displayName(String name) {
    if (name.isBlank() || name.length() > 200) {
      throw invalid("name: " + name.length() + " characters (expected: 1-200, not blank)");
    }
    return name;
  }

  private static Optional<String> email(Optional<String> email) {
    if (email.isPresent()) {
      String address = email.get();
      int at = address.indexOf('@');
      if (address.length() > 320 || at <= 0 || at == address.length() - 1) {
        throw invalid("email: '" + printable(address) + "' (expected: local@domain, <= 320)");
      }
    }
    return email;
  }

  // What the clients table can hold; beyond it the insert would fail as a server error.
  private static ClientRegistration storable(ClientRegistration client) {
    if (client.displayName().isBlank() || client.displayName().length() > 200) {
      throw invalid("client_name: expected 1-200 characters");
    }
    if (String.join(" ", client.scopes()).length() > 2000) {
      throw invalid("scopes: too many (expected: <= 2000 characters in all)");
    }
    if (String.join(" ", client.audiences()).length() > 2000) {
      throw invalid("audiences: too many (expected: <= 2000 characters in all)");
    }
    if (ClientRegistrationJson.toJson(client).toString().length() > 20_000) {
      throw invalid("the registration is too large (expected: <= 20000 characters as JSON)");
    }
    return client;
  }

  private static List<String> fieldNames(JsonNode body) {
    List<String> names = new java.util.ArrayList<>();
    body.propertyNames().forEach(names::add);
    return names;
  }

  static ObjectNode userJson(UserAccount user) {
    ObjectNode json =
        Json.object()
            .put("user_id", user.userId())
            .put("username", user.username())
            .put("name", user.displayName())
            .put("enabled", user.enabled());
    user.email().ifPresent(email -> json.put("email", email));
    strings(json.putArray("roles"), user.roles());
    strings(json.putArray("groups"), user.groups());
    return json;
  }

  static ObjectNode groupJson(UserGroup group) {
    ObjectNode json =
        Json.object().put("name", group.name()).put("description", group.description());
    strings(json.putArray("roles"), group.roles());
    strings(json.putArray("members"), group.members());
    return json;
  }

  private ObjectNode sessionJson(UserSession session) {
    ObjectNode json =
        Json.object()
            .put("sid", session.sessionId())
            .put("user_id", session.userId())
            .put("auth_time", session.authTime().toString())
            .put("acr", session.acr())
            .put("created", session.createdAt().toString())
            .put("expires", session.expiresAt().toString())
            .put("active", session.isActive(clock.instant()))
            .put("source_address", session.sourceAddress());
    strings(json.putArray("amr"), session.amr());
    session.revokedAt().ifPresent(at -> json.put("revoked", at.toString()));
    return json;
  }

  private static void strings(ArrayNode array, Collection<String> values) {
    new TreeSet<>(values).forEach(array::add);
  }

  // Audit.

  private AuditEvent.Builder change(Call call, String action) {
    AuditEvent.Builder event =
        event(call.req(), action, AuditEvent.Outcome.SUCCESS)
            .subject(call.actor())
            .attribute("actor", call.actor());
    call.clientId().ifPresent(id -> event.attribute("actor_client_id", id));
    return event;
  }

  private AuditEvent.Builder event(ServerRequest req, String action, AuditEvent.Outcome outcome) {
    return RequestAudit.event(clock, req, action, outcome);
  }

  private static String printable(String value) {
    String clipped = value.length() > 100 ? value.substring(0, 100) + "..." : value;
    return clipped.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static AdminError invalid(String description) {
    return new AdminError(Status.BAD_REQUEST_400, "invalid_request", description);
  }

  // An error answer decided inside an action.
  private static final class AdminError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Status status;
    private final String error;

    AdminError(Status status, String error, String description) {
      super(description, null, false, false);
      this.status = status;
      this.error = error;
    }
  }
}
