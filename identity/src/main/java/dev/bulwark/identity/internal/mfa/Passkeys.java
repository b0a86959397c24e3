package dev.bulwark.identity.internal.mfa;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticationRequest;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import dev.bulwark.runtime.http.Json;
import dev.bulwark.runtime.storage.Database;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * WebAuthn passkeys (W3C Web Authentication Level 2), verified by webauthn4j: registration (§7.1)
 * with "none" or self/packed attestation, and authentication (§7.2) as a second factor. The relying
 * party id is the issuer's host and the origin the issuer's origin. Challenges are kept server-side
 * and used once; a signature counter that does not grow (§6.1.1) is refused.
 */
public final class Passkeys {
  static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(5);
  private static final List<PublicKeyCredentialParameters> ALGORITHMS =
      List.of(
          new PublicKeyCredentialParameters(
              PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
          new PublicKeyCredentialParameters(
              PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.EdDSA),
          new PublicKeyCredentialParameters(
              PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));
  private static final SecureRandom RANDOM = new SecureRandom();
  // The challenge of a passwordless sign-in belongs to no user until the assertion names one.
  private static final String NO_USER = "-";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Database database;
  private final Supplier<String> issuer;
  private final Clock clock;
  private final WebAuthnManager webAuthn;
  private final AttestedCredentialDataConverter credentialConverter;

  public Passkeys(Database database, Supplier<String> issuer, Clock clock) {
    this.database = database;
    this.issuer = issuer;
    this.clock = clock;
    ObjectConverter converter = new ObjectConverter();
    // Non-strict: passkeys are accepted without an attestation trust chain ("none", self), since
    // the provider does not restrict authenticator models.
    this.webAuthn = WebAuthnManager.createNonStrictWebAuthnManager(converter);
    this.credentialConverter = new AttestedCredentialDataConverter(converter);
  }

  /** The outcome of a WebAuthn ceremony: success, or why not (for the audit record). */
  public record Outcome(boolean verified, String reason) {
    public static Outcome ok() {
      return new Outcome(true, "verified");
    }

    public static Outcome refused(String reason) {
      return new Outcome(false, reason);
    }
  }

  /** The number of passkeys {@code userId} has. */
  public int count(String userId) {
    return credentialIds(userId).size();
  }

  /** {@code PublicKeyCredentialCreationOptions} (§5.4) for a new passkey of {@code userId}. */
  public ObjectNode registrationOptions(String userId, String username, String displayName) {
    String challenge = newChallenge(userId, "register");
    ObjectNode options = Json.object().put("challenge", challenge);
    options.putObject("rp").put("id", rpId()).put("name", rpId());
    options
        .putObject("user")
        .put("id", B64.encodeToString(userId.getBytes(StandardCharsets.UTF_8)))
        .put("name", username)
        .put("displayName", displayName);
    ArrayNode parameters = options.putArray("pubKeyCredParams");
    for (PublicKeyCredentialParameters p : ALGORITHMS) {
      parameters.addObject().put("type", "public-key").put("alg", p.getAlg().getValue());
    }
    options.put("timeout", CHALLENGE_LIFETIME.toMillis());
    options.put("attestation", "none");
    options
        .putObject("authenticatorSelection")
        .put("residentKey", "preferred")
        .put("userVerification", "required");
    ArrayNode exclude = options.putArray("excludeCredentials");
    credentialIds(userId)
        .forEach(id -> exclude.addObject().put("type", "public-key").put("id", id));
    return options;
  }

  /** Verifies a registration response and stores the passkey. */
  public Outcome register(
      String userId, String challenge, byte[] attestationObject, byte[] clientDataJson) {
    if (!consumeChallenge(challenge, userId, "register")) {
      return Outcome.refused("unknown, expired or used challenge");
    }
    RegistrationData data;
    try {
      data =
          webAuthn.verify(
              new RegistrationRequest(attestationObject, clientDataJson),
              new RegistrationParameters(serverProperty(challenge), ALGORITHMS, true, true));
    } catch (RuntimeException e) {
      // webauthn4j reports bad input as WebAuthnException, but malformed CBOR can surface as
      // other runtime exceptions; either way the ceremony fails closed.
      return Outcome.refused("registration not valid: " + e.getClass().getSimpleName());
    }
    // Verified data has these; webauthn4j's types only say they may be absent.
    AttestationObject attestation = data.getAttestationObject();
    if (attestation == null) {
      return Outcome.refused("registration without an attestation object");
    }
    AuthenticatorData<?> authenticatorData = attestation.getAuthenticatorData();
    AttestedCredentialData credential = authenticatorData.getAttestedCredentialData();
    if (credential == null) {
      return Outcome.refused("registration without credential data");
    }
    String credentialId = B64.encodeToString(credential.getCredentialId());
    long signCount = authenticatorData.getSignCount();
    byte[] stored = credentialConverter.convert(credential);
    boolean inserted =
        database.inTransaction(
            connection -> {
              try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT 1 FROM webauthn_credentials WHERE credential_id = ?")) {
                select.setString(1, credentialId);
                try (ResultSet rows = select.executeQuery()) {
                  if (rows.next()) {
                    return false;
                  }
                }
              }
              try (PreparedStatement insert =
                  connection.prepareStatement(
                      "INSERT INTO webauthn_credentials (credential_id, user_id, attested_data,"
                          + " sign_count, created_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, credentialId);
                insert.setString(2, userId);
                insert.setBytes(3, stored);
                insert.setLong(4, signCount);
                insert.setTimestamp(5, Timestamp.from(clock.instant()));
                insert.executeUpdate();
              }
              return true;
            });
    return inserted ? Outcome.ok() : Outcome.refused("the credential is already registered");
  }

  /** {@code PublicKeyCredentialRequestOptions} (§5.5) for {@code userId}'s passkeys. */
  public ObjectNode authenticationOptions(String userId) {
    String challenge = newChallenge(userId, "authenticate");
    ObjectNode options = Json.object().put("challenge", challenge).put("rpId", rpId());
    options.put("timeout", CHALLENGE_LIFETIME.toMillis());
    options.put("userVerification", "required");
    ArrayNode allow = options.putArray("allowCredentials");
    credentialIds(userId).forEach(id -> allow.addObject().put("type", "public-key").put("id", id));
    return options;
  }

  /** The fields of an authentication response (§5.2.2), as the browser sends them. */
  public record Assertion(
      String challenge,
      byte[] credentialId,
      byte[] authenticatorData,
      byte[] clientDataJson,
      byte[] signature) {}

  /**
   * Verifies an assertion by one of {@code userId}'s passkeys, with user verification, and moves
   * its signature counter forward.
   */
  public Outcome authenticate(String userId, Assertion assertion) {
    if (!consumeChallenge(assertion.challenge(), userId, "authenticate")) {
      return Outcome.refused("unknown, expired or used challenge");
    }
    String credentialId = B64.encodeToString(assertion.credentialId());
    Optional<Stored> stored = stored(credentialId).filter(s -> s.userId().equals(userId));
    if (stored.isEmpty()) {
      return Outcome.refused("not a passkey of this user");
    }
    return verifyAssertion(assertion, credentialId, stored.get());
  }

  /**
   * {@code PublicKeyCredentialRequestOptions} for a passwordless sign-in: no user is known yet, so
   * the authenticator offers its discoverable credentials for this relying party.
   */
  public ObjectNode discoverableOptions() {
    String challenge = newChallenge(NO_USER, "discover");
    ObjectNode options = Json.object().put("challenge", challenge).put("rpId", rpId());
    options.put("timeout", CHALLENGE_LIFETIME.toMillis());
    options.put("userVerification", "required");
    options.putArray("allowCredentials");
    return options;
  }

  /** A passwordless sign-in: whose passkey signed, if the assertion verifies. */
  public record Discovered(Outcome outcome, Optional<String> userId) {}

  /** Verifies an assertion by any registered passkey, with user verification. */
  public Discovered authenticateDiscoverable(Assertion assertion) {
    if (!consumeChallenge(assertion.challenge(), NO_USER, "discover")) {
      return new Discovered(
          Outcome.refused("unknown, expired or used challenge"), Optional.empty());
    }
    String credentialId = B64.encodeToString(assertion.credentialId());
    Optional<Stored> stored = stored(credentialId);
    if (stored.isEmpty()) {
      return new Discovered(Outcome.refused("unknown passkey"), Optional.empty());
    }
    Outcome outcome = verifyAssertion(assertion, credentialId, stored.get());
    return new Discovered(
        outcome, outcome.verified() ? Optional.of(stored.get().userId()) : Optional.empty());
  }

  private Outcome verifyAssertion(Assertion assertion, String credentialId, Stored stored) {
    CredentialRecordImpl record =
        new CredentialRecordImpl(
            new NoneAttestationStatement(),
            null,
            null,
            null,
            stored.signCount(),
            credentialConverter.convert(stored.attestedData()),
            null,
            null,
            null,
            null);
    AuthenticationData data;
    try {
      data =
          webAuthn.verify(
              new AuthenticationRequest(
                  assertion.credentialId(),
                  assertion.authenticatorData(),
                  assertion.clientDataJson(),
                  assertion.signature()),
              new AuthenticationParameters(
                  serverProperty(assertion.challenge()),
                  record,
                  List.of(assertion.credentialId()),
                  true,
                  true));
    } catch (RuntimeException e) {
      // webauthn4j reports bad input as WebAuthnException, but malformed CBOR can surface as
      // other runtime exceptions; either way the ceremony fails closed.
      return Outcome.refused("assertion not valid: " + e.getClass().getSimpleName());
    }
    AuthenticatorData<?> authenticatorData = data.getAuthenticatorData();
    if (authenticatorData == null) {
      return Outcome.refused("assertion without authenticator data");
    }
    long signCount = authenticatorData.getSignCount();
    // §6.1.1: a counter that does not grow hints at a cloned authenticator. webauthn4j refuses
    // it; the conditional update also catches two concurrent uses of one count.
    int updated =
        database.inTransaction(
            connection -> {
              try (PreparedStatement update =
                  connection.prepareStatement(
                      "UPDATE webauthn_credentials SET sign_count = ? WHERE credential_id = ?"
                          + " AND (sign_count < ? OR (sign_count = 0 AND ? = 0))")) {
                update.setLong(1, signCount);
                update.setString(2, credentialId);
                update.setLong(3, signCount);
                update.setLong(4, signCount);
                return update.executeUpdate();
              }
            });
    return updated == 1 ? Outcome.ok() : Outcome.refused("the signature counter went backwards");
  }

  /** Removes every passkey of {@code userId}. */
  public void removeAll(String userId) {
    database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM webauthn_credentials WHERE user_id = ?")) {
            delete.setString(1, userId);
            delete.executeUpdate();
          }
          return null;
        });
  }

  private String rpId() {
    return URI.create(issuer.get()).getHost();
  }

  private ServerProperty serverProperty(String challenge) {
    URI uri = URI.create(issuer.get());
    return ServerProperty.builder()
        .origin(new Origin(uri.getScheme() + "://" + uri.getRawAuthority()))
        .rpId(rpId())
        .challenge(new DefaultChallenge(Base64.getUrlDecoder().decode(challenge)))
        .build();
  }

  private String newChallenge(String userId, String purpose) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String challenge = B64.encodeToString(bytes);
    Instant now = clock.instant();
    database.inTransaction(
        connection -> {
          try (PreparedStatement purge =
              connection.prepareStatement("DELETE FROM webauthn_challenges WHERE expires_at < ?")) {
            purge.setTimestamp(1, Timestamp.from(now));
            purge.executeUpdate();
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO webauthn_challenges (challenge, user_id, purpose, expires_at)"
                      + " VALUES (?, ?, ?, ?)")) {
            insert.setString(1, challenge);
            insert.setString(2, userId);
            insert.setString(3, purpose);
            insert.setTimestamp(4, Timestamp.from(now.plus(CHALLENGE_LIFETIME)));
            insert.executeUpdate();
          }
          return null;
        });
    return challenge;
  }

  private boolean consumeChallenge(String challenge, String userId, String purpose) {
    if (!challenge.matches("[A-Za-z0-9_-]{43}")) {
      return false;
    }
    return database.inTransaction(
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM webauthn_challenges WHERE challenge = ? AND user_id = ?"
                      + " AND purpose = ? AND expires_at > ?")) {
            delete.setString(1, challenge);
            delete.setString(2, userId);
            delete.setString(3, purpose);
            delete.setTimestamp(4, Timestamp.from(clock.instant()));
            return delete.executeUpdate() == 1;
          }
        });
  }

  private List<String> credentialIds(String userId) {
    return database.inTransaction(
        connection -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT credential_id FROM webauthn_credentials WHERE user_id = ?"
                      + " ORDER BY created_at")) {
            select.setString(1, userId);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ids.add(rows.getString(1));
              }
            }
          }
          return ids;
        });
  }

  private record Stored(String userId, byte[] attestedData, long signCount) {}

  private Optional<Stored> stored(String credentialId) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT user_id, attested_data, sign_count FROM webauthn_credentials"
                      + " WHERE credential_id = ?")) {
            select.setString(1, credentialId);
            try (ResultSet rows = select.executeQuery()) {
              return rows.next()
                  ? Optional.of(new Stored(rows.getString(1), rows.getBytes(2), rows.getLong(3)))
                  : Optional.<Stored>empty();
            }
          }
        });
  }
}
