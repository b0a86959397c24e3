package dev.bulwark.identity.internal;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.keys.KeysException;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys, one ring per algorithm (ES256, RS256, EdDSA), published as the JWKS
 * (RFC 7517 §5).
 *
 * <p>Each ring holds a <em>next</em> key (published, not yet signing, so verifiers have it cached
 * before it signs anything), the <em>current</em> key (signing) and the <em>previous</em> key
 * (published, so tokens it signed verify until they expire). A rotation promotes next to current
 * and current to previous, retires the old previous (no longer published) and generates a new next.
 * Private halves are stored sealed under the master key and deleted as soon as a key stops signing.
 *
 * <p>Instances sharing one database agree through the {@code signing_key_rings} row of each
 * algorithm: a rotation is a conditional update of its {@code current_kid}, so two instances
 * rotating at once rotate once, and an instance that did not rotate reloads when it sees the row
 * changed.
 */
public final class SigningKeyRing implements AutoCloseable {
  /** How often keys rotate unless configured. */
  public static final Duration DEFAULT_ROTATION = Duration.ofDays(30);

  /** The algorithms the provider signs with, each with its own ring. */
  public static final List<JWSAlgorithm> ALGORITHMS =
      List.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA);

  private static final Logger LOG = LoggerFactory.getLogger(SigningKeyRing.class);
  private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(30);
  private static final Duration MAX_CACHE_AGE = Duration.ofMinutes(5);
  // NIST SP 800-57: 2048-bit RSA is acceptable through 2030; generating it keeps rotation cheap.
  private static final int RSA_BITS = 2048;

  /** Where a key is in its life. */
  public enum KeyState {
    /** Published, signs after the next rotation. */
    NEXT,
    /** Signs. */
    CURRENT,
    /** Published so that tokens it signed still verify; its private half is gone. */
    PREVIOUS,
    /** No longer published; its private half is gone. */
    RETIRED;

    String column() {
      return name().toLowerCase(Locale.ROOT);
    }

    static KeyState fromColumn(String value) {
      return valueOf(value.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * A key as the admin API lists it: never its key material.
   *
   * @param kid the key id ({@code kid})
   * @param algorithm the JWS algorithm it signs with
   * @param state where it is in its life
   * @param created when it was generated
   */
  public record KeyInfo(String kid, JWSAlgorithm algorithm, KeyState state, Instant created) {
    public KeyInfo {
      requireNonNull(kid, "kid");
      requireNonNull(algorithm, "algorithm");
      requireNonNull(state, "state");
      requireNonNull(created, "created");
    }
  }

  /**
   * One rotation of one algorithm's ring.
   *
   * @param algorithm whose ring rotated
   * @param previousKid the key that signed until now
   * @param currentKid the key that signs from now on
   * @param nextKid the new next key
   */
  public record Rotation(
      JWSAlgorithm algorithm, String previousKid, String currentKid, String nextKid) {}

  // What this instance signs with and publishes; replaced whole on every reload.
  private record Signing(JWK key, JWSSigner signer) {}

  private record Snapshot(Map<JWSAlgorithm, Signing> current, JWKSet published) {}

  // One ring's row in signing_key_rings.
  private record RingRow(String currentKid, Instant rotatedAt) {}

  private final Database database;
  private final SecretSealer sealer;
  private final Clock clock;
  private final Duration rotation;
  private volatile Snapshot snapshot;
  private final Object schedulerLock = new Object();
  private ScheduledExecutorService scheduler;

  private SigningKeyRing(Database database, SecretSealer sealer, Clock clock, Duration rotation) {
    this.database = requireNonNull(database, "database");
    this.sealer = requireNonNull(sealer, "sealer");
    this.clock = requireNonNull(clock, "clock");
    this.rotation = requireNonNull(rotation, "rotation");
    if (rotation.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("rotation: " + rotation + " (expected: >= 1s)");
    }
  }

  /** Loads the keys, creating any ring that does not exist yet, rotating every 30 days. */
  public static SigningKeyRing loadOrCreate(Database database, SecretSealer sealer, Clock clock) {
    return open(database, sealer, clock, DEFAULT_ROTATION);
  }

  /**
   * Loads the keys, creating any ring that does not exist yet.
   *
   * @throws IdentityException SIGNING_KEY_UNREADABLE if the stored keys cannot be unsealed
   */
  public static SigningKeyRing open(
      Database database, SecretSealer sealer, Clock clock, Duration rotation) {
    SigningKeyRing ring = new SigningKeyRing(database, sealer, clock, rotation);
    for (JWSAlgorithm algorithm : ALGORITHMS) {
      ring.ensureRing(algorithm);
    }
    ring.reload();
    return ring;
  }

  /**
   * Starts the background task that rotates when a ring is due and picks up rotations made by other
   * instances; {@code onRotated} hears of every rotation this instance makes.
   */
  public void start(Consumer<Rotation> onRotated) {
    requireNonNull(onRotated, "onRotated");
    synchronized (schedulerLock) {
      if (scheduler == null) {
        scheduler = schedule(onRotated);
      }
    }
  }

  private ScheduledExecutorService schedule(Consumer<Rotation> onRotated) {
    Duration poll = pollInterval();
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("signing-key-rotation").factory());
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            rotateIfDue().forEach(onRotated);
          } catch (RuntimeException e) {
            // The next poll tries again; meanwhile the keys in memory keep signing.
            LOG.warn("signing key rotation check failed: {}", e.getMessage());
          }
        },
        poll.toMillis(),
        poll.toMillis(),
        TimeUnit.MILLISECONDS);
    return scheduler;
  }

  @Override
  public void close() {
    synchronized (schedulerLock) {
      if (scheduler != null) {
        scheduler.shutdownNow();
        scheduler = null;
      }
    }
  }

  /** How often the background task looks at the database: 30 s, or less for short rotations. */
  Duration pollInterval() {
    Duration quarter = rotation.dividedBy(4);
    return quarter.compareTo(MAX_POLL_INTERVAL) < 0 ? quarter : MAX_POLL_INTERVAL;
  }

  /**
   * How long verifiers may cache the JWKS: well below the rotation period, so that a next key is in
   * every cache long before it signs.
   */
  public Duration cacheMaxAge() {
    Duration tenth = rotation.dividedBy(10);
    Duration age = tenth.compareTo(MAX_CACHE_AGE) < 0 ? tenth : MAX_CACHE_AGE;
    return age.isZero() ? Duration.ofSeconds(1) : age;
  }

  /** The kid of the current ES256 key. */
  public String keyId() {
    return current(JWSAlgorithm.ES256).key().getKeyID();
  }

  /** The signer of the current ES256 key. */
  public JWSSigner signer() {
    return current(JWSAlgorithm.ES256).signer();
  }

  /** The default algorithm, ES256. */
  public JWSAlgorithm algorithm() {
    return JWSAlgorithm.ES256;
  }

  /** The kid of the key that signs for {@code algorithm} now. */
  public String currentKeyId(JWSAlgorithm algorithm) {
    return current(algorithm).key().getKeyID();
  }

  /**
   * Signs {@code claims} with the current key for {@code algorithm}, naming the key in {@code kid}.
   *
   * @throws IdentityException SIGNING_KEY_UNAVAILABLE if the ring has no key for {@code algorithm}
   */
  public SignedJWT sign(JWSAlgorithm algorithm, JOSEObjectType type, JWTClaimsSet claims) {
    Signing signing = current(algorithm);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).type(type).keyID(signing.key().getKeyID()).build(),
            claims);
    try {
      jwt.sign(signing.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a " + type + " with " + algorithm + " failed", e);
    }
    return jwt;
  }

  /** The public keys (next, current and previous of every algorithm), as served at the JWKS. */
  public JWKSet publicKeys() {
    return snapshot.published();
  }

  /**
   * Whether {@code jwt} is signed by a key this ring publishes now (next, current or previous),
   * with the algorithm that key is for. The claims are the caller's to check.
   */
  public boolean verifies(SignedJWT jwt) {
    JWK key = snapshot.published().getKeyByKeyId(jwt.getHeader().getKeyID());
    if (key == null || !jwt.getHeader().getAlgorithm().equals(key.getAlgorithm())) {
      return false;
    }
    try {
      JWSVerifier verifier =
          switch (key) {
            case ECKey ec -> new ECDSAVerifier(ec);
            case RSAKey rsa -> new RSASSAVerifier(rsa);
            case OctetKeyPair okp -> new Ed25519Verifier(okp);
            default -> null;
          };
      return verifier != null && jwt.verify(verifier);
    } catch (JOSEException | IllegalStateException e) {
      return false;
    }
  }

  /** Every key the database knows, retired ones included, newest first; never key material. */
  public List<KeyInfo> keys() {
    return database.inTransaction(
        connection -> {
          List<KeyInfo> keys = new ArrayList<>();
          try (PreparedStatement select =
                  connection.prepareStatement(
                      "SELECT kid, algorithm, status, created_at FROM signing_keys"
                          + " ORDER BY created_at DESC, kid");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              keys.add(
                  new KeyInfo(
                      rows.getString(1),
                      JWSAlgorithm.parse(rows.getString(2)),
                      KeyState.fromColumn(rows.getString(3)),
                      rows.getTimestamp(4).toInstant()));
            }
          }
          return keys;
        });
  }

  /**
   * Rotates every ring now: the next key signs from now on. A ring another instance rotated since
   * this one last loaded is not rotated again (it reloads instead).
   */
  public List<Rotation> rotateNow() {
    List<Rotation> rotations = new ArrayList<>();
    Snapshot seen = snapshot;
    for (JWSAlgorithm algorithm : ALGORITHMS) {
      String expected = seen.current().get(algorithm).key().getKeyID();
      rotate(algorithm, expected).ifPresent(rotations::add);
    }
    reload();
    return rotations;
  }

  /**
   * Rotates each ring whose period has passed, and reloads if this or another instance changed any
   * ring. The background task calls this; tests call it with a clock they move.
   */
  public List<Rotation> rotateIfDue() {
    Map<JWSAlgorithm, RingRow> rows = database.inTransaction(SigningKeyRing::ringRows);
    Instant now = clock.instant();
    List<Rotation> rotations = new ArrayList<>();
    for (Map.Entry<JWSAlgorithm, RingRow> ring : rows.entrySet()) {
      if (!ring.getValue().rotatedAt().plus(rotation).isAfter(now)) {
        rotate(ring.getKey(), ring.getValue().currentKid()).ifPresent(rotations::add);
      }
    }
    Snapshot seen = snapshot;
    boolean changed =
        !rotations.isEmpty()
            || rows.entrySet().stream()
                .anyMatch(
                    e ->
                        !seen.current().containsKey(e.getKey())
                            || !seen.current()
                                .get(e.getKey())
                                .key()
                                .getKeyID()
                                .equals(e.getValue().currentKid()));
    if (changed) {
      reload();
    }
    return rotations;
  }

  private Signing current(JWSAlgorithm algorithm) {
    Signing signing = snapshot.current().get(algorithm);
    if (signing == null) {
      throw new IdentityException(
          IdentityException.Code.SIGNING_KEY_UNAVAILABLE, "no signing key for " + algorithm);
    }
    return signing;
  }

  // Promotes next to current if the ring's current key is still `expectedKid`.
  private Optional<Rotation> rotate(JWSAlgorithm algorithm, String expectedKid) {
    JWK newNext = generate(algorithm);
    byte[] sealed = seal(newNext);
    Instant now = clock.instant();
    try {
      return database.inTransaction(
          connection -> {
            String nextKid =
                kidsIn(connection, algorithm, KeyState.NEXT).stream()
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new IdentityException(
                                IdentityException.Code.SIGNING_KEY_UNAVAILABLE,
                                "the " + algorithm + " ring has no next key to promote"));
            try (PreparedStatement claim =
                connection.prepareStatement(
                    "UPDATE signing_key_rings SET current_kid = ?, rotated_at = ?"
                        + " WHERE algorithm = ? AND current_kid = ?")) {
              claim.setString(1, nextKid);
              claim.setTimestamp(2, Timestamp.from(now));
              claim.setString(3, algorithm.getName());
              claim.setString(4, expectedKid);
              if (claim.executeUpdate() == 0) {
                return Optional.<Rotation>empty();
              }
            }
            try (PreparedStatement retire =
                connection.prepareStatement(
                    "UPDATE signing_keys SET status = ?, retired_at = ?, sealed_private = NULL"
                        + " WHERE algorithm = ? AND status = ?")) {
              retire.setString(1, KeyState.RETIRED.column());
              retire.setTimestamp(2, Timestamp.from(now));
              retire.setString(3, algorithm.getName());
              retire.setString(4, KeyState.PREVIOUS.column());
              retire.executeUpdate();
            }
            // The old current key signs nothing any more: its private half goes now, the public
            // half stays published for the tokens it signed.
            try (PreparedStatement demote =
                connection.prepareStatement(
                    "UPDATE signing_keys SET status = ?, sealed_private = NULL WHERE kid = ?")) {
              demote.setString(1, KeyState.PREVIOUS.column());
              demote.setString(2, expectedKid);
              demote.executeUpdate();
            }
            try (PreparedStatement promote =
                connection.prepareStatement("UPDATE signing_keys SET status = ? WHERE kid = ?")) {
              promote.setString(1, KeyState.CURRENT.column());
              promote.setString(2, nextKid);
              promote.executeUpdate();
            }
            insert(connection, newNext, sealed, KeyState.NEXT, now);
            return Optional.of(new Rotation(algorithm, expectedKid, nextKid, newNext.getKeyID()));
          });
    } catch (StorageException e) {
      // Two instances rotating at once: the database may refuse the loser's update outright
      // rather than let it match no row. Losing the race is no error; anything else is.
      RingRow row = database.inTransaction(SigningKeyRing::ringRows).get(algorithm);
      if (row != null && !row.currentKid().equals(expectedKid)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  // Creates the ring of `algorithm` if it has no row yet: a current and a next key, or only a
  // next one when an earlier version left a current key.
  private void ensureRing(JWSAlgorithm algorithm) {
    if (database.inTransaction(SigningKeyRing::ringRows).containsKey(algorithm)) {
      return;
    }
    Optional<String> legacy =
        database.inTransaction(
            connection -> kidsIn(connection, algorithm, KeyState.CURRENT).stream().findFirst());
    Optional<JWK> current =
        legacy.isPresent() ? Optional.empty() : Optional.of(generate(algorithm));
    JWK next = generate(algorithm);
    Optional<byte[]> sealedCurrent = current.map(this::seal);
    byte[] sealedNext = seal(next);
    Instant now = clock.instant();
    try {
      database.inTransaction(
          connection -> {
            String currentKid = legacy.orElseGet(() -> current.orElseThrow().getKeyID());
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO signing_key_rings (algorithm, current_kid, rotated_at)"
                        + " VALUES (?, ?, ?)")) {
              insert.setString(1, algorithm.getName());
              insert.setString(2, currentKid);
              insert.setTimestamp(3, Timestamp.from(now));
              insert.executeUpdate();
            }
            if (current.isPresent()) {
              insert(connection, current.get(), sealedCurrent.orElseThrow(), KeyState.CURRENT, now);
            }
            insert(connection, next, sealedNext, KeyState.NEXT, now.plusMillis(1));
            return null;
          });
    } catch (StorageException e) {
      // Another instance starting on the same database created the ring first.
      if (!database.inTransaction(SigningKeyRing::ringRows).containsKey(algorithm)) {
        throw e;
      }
    }
  }

  private void reload() {
    snapshot =
        database.inTransaction(
            connection -> {
              Map<JWSAlgorithm, RingRow> rings = ringRows(connection);
              Map<JWSAlgorithm, Signing> current = new LinkedHashMap<>();
              List<JWK> published = new ArrayList<>();
              List<StoredKey> stored = publishedKeys(connection);
              // Current keys first, so that a verifier taking the first key of an algorithm
              // takes the one that signs.
              stored.sort(Comparator.comparingInt(k -> k.state() == KeyState.CURRENT ? 0 : 1));
              for (StoredKey key : stored) {
                published.add(key.publicKey());
                RingRow ring = rings.get(key.algorithm());
                if (ring != null && ring.currentKid().equals(key.publicKey().getKeyID())) {
                  current.put(key.algorithm(), signing(key, unsealCurrent(connection, key)));
                }
              }
              for (JWSAlgorithm algorithm : rings.keySet()) {
                if (!current.containsKey(algorithm)) {
                  throw new IdentityException(
                      IdentityException.Code.SIGNING_KEY_UNAVAILABLE,
                      "the " + algorithm + " ring names a current key that is not stored");
                }
              }
              return new Snapshot(Map.copyOf(current), new JWKSet(published));
            });
  }

  private record StoredKey(JWSAlgorithm algorithm, KeyState state, JWK publicKey) {}

  private static List<StoredKey> publishedKeys(Connection connection) throws SQLException {
    List<StoredKey> keys = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT kid, algorithm, status, public_jwk FROM signing_keys"
                + " WHERE status IN (?, ?, ?) ORDER BY algorithm, created_at DESC")) {
      select.setString(1, KeyState.NEXT.column());
      select.setString(2, KeyState.CURRENT.column());
      select.setString(3, KeyState.PREVIOUS.column());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          JWK key;
          try {
            key = JWK.parse(rows.getString(4));
          } catch (ParseException e) {
            throw new IdentityException(
                IdentityException.Code.SIGNING_KEY_UNREADABLE,
                "the public half of signing key " + rows.getString(1) + " is not a JWK");
          }
          if (key.isPrivate()) {
            throw new IllegalStateException(
                "signing key " + rows.getString(1) + " has private material in its public column");
          }
          keys.add(
              new StoredKey(
                  JWSAlgorithm.parse(rows.getString(2)),
                  KeyState.fromColumn(rows.getString(3)),
                  key));
        }
      }
    }
    return keys;
  }

  private JWK unsealCurrent(Connection connection, StoredKey key) throws SQLException {
    String kid = key.publicKey().getKeyID();
    try (PreparedStatement select =
        connection.prepareStatement("SELECT sealed_private FROM signing_keys WHERE kid = ?")) {
      select.setString(1, kid);
      try (ResultSet rows = select.executeQuery()) {
        byte[] sealed = rows.next() ? rows.getBytes(1) : null;
        if (sealed == null) {
          throw new IdentityException(
              IdentityException.Code.SIGNING_KEY_UNAVAILABLE,
              "the private half of signing key " + kid + " is gone");
        }
        return unseal(kid, sealed);
      }
    }
  }

  private static Signing signing(StoredKey stored, JWK key) {
    try {
      JWSSigner signer =
          switch (key) {
            case ECKey ec -> new ECDSASigner(ec);
            case RSAKey rsa -> new RSASSASigner(rsa);
            case OctetKeyPair okp -> new Ed25519Signer(okp);
            default ->
                throw new IllegalStateException("cannot sign with a " + key.getKeyType() + " key");
          };
      return new Signing(stored.publicKey(), signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(
          "cannot sign with stored " + stored.algorithm() + " key " + key.getKeyID(), e);
    }
  }

  private static Map<JWSAlgorithm, RingRow> ringRows(Connection connection) throws SQLException {
    Map<JWSAlgorithm, RingRow> rows = new LinkedHashMap<>();
    try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT algorithm, current_kid, rotated_at FROM signing_key_rings"
                    + " ORDER BY algorithm");
        ResultSet result = select.executeQuery()) {
      while (result.next()) {
        rows.put(
            JWSAlgorithm.parse(result.getString(1)),
            new RingRow(result.getString(2), result.getTimestamp(3).toInstant()));
      }
    }
    return rows;
  }

  private static List<String> kidsIn(Connection connection, JWSAlgorithm algorithm, KeyState state)
      throws SQLException {
    List<String> kids = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT kid FROM signing_keys WHERE algorithm = ? AND status = ?"
                + " ORDER BY created_at DESC")) {
      select.setString(1, algorithm.getName());
      select.setString(2, state.column());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          kids.add(rows.getString(1));
        }
      }
    }
    return kids;
  }

  private static void insert(
      Connection connection, JWK key, byte[] sealed, KeyState state, Instant created)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO signing_keys (kid, algorithm, public_jwk, sealed_private, status,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, key.getKeyID());
      insert.setString(2, key.getAlgorithm().getName());
      insert.setString(3, key.toPublicJWK().toJSONString());
      insert.setBytes(4, sealed);
      insert.setString(5, state.column());
      insert.setTimestamp(6, Timestamp.from(created));
      insert.executeUpdate();
    }
  }

  private byte[] seal(JWK key) {
    return sealer.seal(
        key.toJSONString().getBytes(StandardCharsets.UTF_8), context(key.getKeyID()));
  }

  private JWK unseal(String kid, byte[] sealed) {
    try {
      String json = new String(sealer.open(sealed, context(kid)), StandardCharsets.UTF_8);
      return JWK.parse(json);
    } catch (KeysException | ParseException e) {
      throw new IdentityException(
          IdentityException.Code.SIGNING_KEY_UNREADABLE,
          "signing key "
              + kid
              + " cannot be unsealed: is this the master key the data directory was created with?");
    }
  }

  private static JWK generate(JWSAlgorithm algorithm) {
    String kid = UUID.randomUUID().toString();
    try {
      if (algorithm.equals(JWSAlgorithm.ES256)) {
        return new ECKeyGenerator(Curve.P_256)
            .keyID(kid)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(algorithm)
            .generate();
      }
      if (algorithm.equals(JWSAlgorithm.RS256)) {
        return new RSAKeyGenerator(RSA_BITS)
            .keyID(kid)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(algorithm)
            .generate();
      }
      if (algorithm.equals(JWSAlgorithm.EdDSA)) {
        return new OctetKeyPairGenerator(Curve.Ed25519)
            .keyID(kid)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(algorithm)
            .generate();
      }
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
    throw new IllegalArgumentException(
        "algorithm: " + algorithm + " (expected: " + ALGORITHMS + ")");
  }

  private static String context(String kid) {
    return "identity/signing-key/" + kid;
  }
}
