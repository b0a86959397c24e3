package dev.bulwark.identity.internal;

import dev.bulwark.identity.ClientRegistration;
import dev.bulwark.identity.ClientSecret;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.runtime.storage.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Registered clients. Secrets are 256 random bits and stored only as their SHA-256: with that much
 * entropy a fast hash cannot be brute-forced, and verifying one stays cheap enough for thousands of
 * token requests a second (a slow password hash is for low-entropy user passwords).
 */
public final class ClientStore {
  private static final String HASH_PREFIX = "sha256:";
  // Compared against when the client id is unknown, so both paths do the same work.
  private static final String DECOY_HASH = hash("decoy-" + java.util.UUID.randomUUID());

  private final Database database;
  private final Clock clock;

  public ClientStore(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  public boolean exists(String clientId) {
    return find(clientId).isPresent();
  }

  /**
   * Registers {@code registration} and returns its secret, which is not stored anywhere in the
   * clear.
   */
  public void register(ClientRegistration registration, ClientSecret clientSecret) {
    String secret = clientSecret.reveal();
    // The hash is fast on purpose (see above), which is safe only for secrets this long and random.
    if (secret.length() < 32) {
      throw new IdentityException(
          IdentityException.Code.CLIENT_INVALID,
          "client secret: too short (expected: at least 32 random characters)");
    }
    database.inTransaction(
        connection -> {
          if (findIn(connection, registration.clientId()).isPresent()) {
            throw new IdentityException(
                IdentityException.Code.CLIENT_EXISTS,
                "client " + registration.clientId() + " is already registered");
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO clients (client_id, display_name, secret_hash, scopes, audiences, created_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, registration.clientId());
            insert.setString(2, registration.displayName());
            insert.setString(3, hash(secret));
            insert.setString(4, String.join(" ", registration.scopes()));
            insert.setString(5, String.join(" ", registration.audiences()));
            insert.setTimestamp(6, Timestamp.from(clock.instant()));
            insert.executeUpdate();
          }
          return null;
        });
  }

  /** The client, if {@code clientId} is registered and {@code secret} is its secret. */
  public Optional<ClientRegistration> authenticate(String clientId, String secret) {
    Optional<StoredClient> client = find(clientId);
    String expected = client.map(StoredClient::secretHash).orElse(DECOY_HASH);
    boolean matches =
        MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            hash(secret).getBytes(StandardCharsets.US_ASCII));
    return matches ? client.map(StoredClient::registration) : Optional.empty();
  }

  private Optional<StoredClient> find(String clientId) {
    return database.inTransaction(connection -> findIn(connection, clientId));
  }

  private static Optional<StoredClient> findIn(java.sql.Connection connection, String clientId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT display_name, secret_hash, scopes, audiences FROM clients WHERE client_id = ?")) {
      select.setString(1, clientId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        ClientRegistration registration =
            new ClientRegistration(
                clientId, rows.getString(1), split(rows.getString(3)), split(rows.getString(4)));
        return Optional.of(new StoredClient(registration, rows.getString(2)));
      }
    }
  }

  private static Set<String> split(String spaceSeparated) {
    return spaceSeparated.isBlank()
        ? Set.of()
        : new LinkedHashSet<>(Arrays.asList(spaceSeparated.split(" ")));
  }

  private static String hash(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HASH_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private record StoredClient(ClientRegistration registration, String secretHash) {}
}
