package dev.bulwark.identity.internal;

import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.runtime.storage.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registered clients. Secrets are 256 random bits and stored only as their SHA-256: with that much
 * entropy a fast hash cannot be brute-forced, and verifying one stays cheap enough for thousands of
 * token requests a second (a slow password hash is for low-entropy user passwords).
 *
 * <p>Registrations read for authentication are cached for {@link #CACHE_TTL}: a change made through
 * this store drops the entry at once (so a rotated secret or a deleted client stops working here
 * immediately); a change made by another instance is seen within the TTL.
 */
public final class ClientStore {
  private static final String HASH_PREFIX = "sha256:";
  // Compared against when the client id is unknown, so both paths do the same work.
  // Stored for clients without a secret; no hash of any secret equals it.
  private static final String NO_SECRET = "none";
  private static final String DECOY_HASH = hash("decoy-" + java.util.UUID.randomUUID());

  /** How long a registration read from the database is trusted without reading it again. */
  static final Duration CACHE_TTL = Duration.ofSeconds(5);

  private final Database database;
  private final Clock clock;
  // Positive results only: the cache is bounded by the number of registered clients.
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  // Bumped by every write, so that a read racing a write does not put back what it replaced.
  private final AtomicLong generation = new AtomicLong();

  private record Cached(StoredClient client, Instant loadedAt) {}

  public ClientStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  public boolean exists(String clientId) {
    return find(clientId).isPresent();
  }

  /** The registration of {@code clientId}, if registered. */
  public Optional<ClientRegistration> registration(String clientId) {
    return find(clientId).map(StoredClient::registration);
  }

  /** Every registered client, by id. */
  public java.util.List<ClientRegistration> list() {
    return database.inTransaction(
        connection -> {
          java.util.List<ClientRegistration> clients = new java.util.ArrayList<>();
          try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT client_id, display_name, scopes, audiences, registration_json"
                          + " FROM clients ORDER BY client_id");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              clients.add(registration(rows));
            }
          }
          return clients;
        });
  }

  /**
   * Registers a client that authenticates with a shared secret; the secret is not stored anywhere
   * in the clear.
   */
  public void register(ClientRegistration registration, ClientSecret clientSecret) {
    String secret = clientSecret.reveal();
    // The hash is fast on purpose (see above), which is safe only for secrets this long and random.
    if (secret.length() < 32) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "client secret: too short (expected: at least 32 random characters)");
    }
    insert(registration, hash(secret));
  }

  /**
   * Registers a client that holds no shared secret: a public client, or one that authenticates with
   * {@code private_key_jwt} or {@code tls_client_auth}.
   */
  public void register(ClientRegistration registration) {
    if (registration.authMethod().usesSecret()) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "client "
              + registration.clientId()
              + " authenticates with "
              + registration.authMethod().protocolName()
              + " and needs a secret");
    }
    insert(registration, NO_SECRET);
  }

  /** Replaces a client's registration, keeping its secret (if it has one). */
  public void update(ClientRegistration registration) {
    int updated =
        database.inTransaction(
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE clients SET display_name = ?, scopes = ?, audiences = ?,"
                          + " registration_json = ? WHERE client_id = ?")) {
                update.setString(1, registration.displayName());
                update.setString(2, String.join(" ", registration.scopes()));
                update.setString(3, String.join(" ", registration.audiences()));
                update.setString(4, ClientRegistrationJson.toJson(registration).toString());
                update.setString(5, registration.clientId());
                return update.executeUpdate();
              }
            });
    forget(registration.clientId());
    if (updated == 0) {
      throw notFound(registration.clientId());
    }
  }

  /** Gives a client a new secret; the old one stops working at once. */
  public void replaceSecret(String clientId, ClientSecret clientSecret) {
    if (clientSecret.reveal().length() < 32) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "client secret: too short (expected: at least 32 random characters)");
    }
    int updated =
        database.inTransaction(
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE clients SET secret_hash = ? WHERE client_id = ?")) {
                update.setString(1, hash(clientSecret.reveal()));
                update.setString(2, clientId);
                return update.executeUpdate();
              }
            });
    forget(clientId);
    if (updated == 0) {
      throw notFound(clientId);
    }
  }

  /** Removes a client; tokens already issued to it live until they expire or are revoked. */
  public boolean delete(String clientId) {
    boolean deleted =
        database.inTransaction(
            connection -> {
              try (PreparedStatement delete =
                  connection.prepareStatement("DELETE FROM clients WHERE client_id = ?")) {
                delete.setString(1, clientId);
                return delete.executeUpdate() > 0;
              }
            });
    forget(clientId);
    return deleted;
  }

  // After a write has committed: a read that began before it must not leave its result cached.
  private void forget(String clientId) {
    generation.incrementAndGet();
    cache.remove(clientId);
  }

  private void insert(ClientRegistration registration, String secretHash) {
    database.inTransaction(
        connection -> {
          if (findIn(connection, registration.clientId()).isPresent()) {
            throw new IdentityException(
                IdentityException.Code.CLIENT_EXISTS,
                "client " + registration.clientId() + " is already registered");
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO clients (client_id, display_name, secret_hash, scopes, audiences,"
                      + " created_at, registration_json) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, registration.clientId());
            insert.setString(2, registration.displayName());
            insert.setString(3, secretHash);
            insert.setString(4, String.join(" ", registration.scopes()));
            insert.setString(5, String.join(" ", registration.audiences()));
            insert.setTimestamp(6, Timestamp.from(clock.instant()));
            insert.setString(7, ClientRegistrationJson.toJson(registration).toString());
            insert.executeUpdate();
          }
          return null;
        });
    forget(registration.clientId());
  }

  /**
   * The client, if {@code clientId} is registered, authenticates with a shared secret, and {@code
   * secret} is its secret.
   */
  public Optional<ClientRegistration> authenticate(String clientId, String secret) {
    Optional<StoredClient> client = find(clientId);
    String expected =
        client
            .filter(c -> c.registration().authMethod().usesSecret())
            .map(StoredClient::secretHash)
            .orElse(DECOY_HASH);
    boolean matches =
        MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            hash(secret).getBytes(StandardCharsets.US_ASCII));
    return matches ? client.map(StoredClient::registration) : Optional.empty();
  }

  private Optional<StoredClient> find(String clientId) {
    Instant now = clock.instant();
    Cached cached = cache.get(clientId);
    if (cached != null
        && !now.isBefore(cached.loadedAt())
        && now.isBefore(cached.loadedAt().plus(CACHE_TTL))) {
      return Optional.of(cached.client());
    }
    long before = generation.get();
    Optional<StoredClient> found =
        database.inTransaction(connection -> findIn(connection, clientId));
    if (found.isEmpty()) {
      cache.remove(clientId);
      return found;
    }
    Cached entry = new Cached(found.get(), now);
    cache.put(clientId, entry);
    // A write since the read began: its forget() may have run before our put, so undo the put.
    if (generation.get() != before) {
      cache.remove(clientId, entry);
    }
    return found;
  }

  private static Optional<StoredClient> findIn(java.sql.Connection connection, String clientId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT client_id, display_name, scopes, audiences, registration_json, secret_hash"
                + " FROM clients WHERE client_id = ?")) {
      select.setString(1, clientId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(new StoredClient(registration(rows), rows.getString(6)));
      }
    }
  }

  // Clients registered before registration_json existed are client-credentials clients.
  private static ClientRegistration registration(ResultSet rows) throws SQLException {
    String json = rows.getString(5);
    if (json == null || json.equals("{}")) {
      return new ClientRegistration(
          rows.getString(1), rows.getString(2), split(rows.getString(3)), split(rows.getString(4)));
    }
    return ClientRegistrationJson.fromJson(json);
  }

  private static IdentityException notFound(String clientId) {
    return new IdentityException(
        IdentityException.Code.CLIENT_NOT_FOUND, "client " + clientId + " is not registered");
  }

  private static Set<String> split(String spaceSeparated) {
    return spaceSeparated.isBlank()
        ? Set.of()
        : new LinkedHashSet<>(Arrays.asList(spaceSeparated.split(" ")));
  }

  private static String hash(String secret) {
    return HASH_PREFIX + Tokens.hash(secret);
  }

  private record StoredClient(ClientRegistration registration, String secretHash) {}
}
