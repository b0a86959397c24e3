package dev.bulwark.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bulwark.identity.IdentityException;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyRingTest {
  static final Duration PERIOD = Duration.ofDays(30);
  static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");

  @TempDir Path dir;
  final SecretSealer sealer =
      MasterKey.fromBase64(java.util.Base64.getEncoder().encodeToString(new byte[32])).sealer();
  final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  Database database;
  SigningKeyRing ring;

  @BeforeEach
  void open() {
    database =
        Database.open(DatabaseSettings.embedded(dir, "identity"), "ring", "classpath:db/identity");
    ring = SigningKeyRing.open(database, sealer, clock, PERIOD);
  }

  @AfterEach
  void close() {
    ring.close();
    database.close();
  }

  static SignedJWT signed(SigningKeyRing ring, JWSAlgorithm algorithm) {
    return ring.sign(
        algorithm, AT_JWT, new JWTClaimsSet.Builder().subject("alice").jwtID("1").build());
  }

  /** Whether {@code jwt} verifies against the key {@code jwks} names in its kid. */
  static boolean verifies(SignedJWT jwt, JWKSet jwks) {
    JWK key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    if (key == null) {
      return false;
    }
    try {
      JWSVerifier verifier =
          switch (key) {
            case ECKey ec -> new ECDSAVerifier(ec);
            case RSAKey rsa -> new RSASSAVerifier(rsa);
            case OctetKeyPair okp -> new Ed25519Verifier(okp);
            default -> throw new IllegalStateException(key.getKeyType().getValue());
          };
      return jwt.verify(verifier);
    } catch (JOSEException e) {
      return false;
    }
  }

  static Set<String> kids(JWKSet jwks) {
    Set<String> kids = new java.util.TreeSet<>();
    jwks.getKeys().forEach(k -> kids.add(k.getKeyID()));
    return kids;
  }

  @Test
  void everyAlgorithmSignsWithItsCurrentKid() throws Exception {
    for (JWSAlgorithm algorithm : SigningKeyRing.ALGORITHMS) {
      SignedJWT jwt = signed(ring, algorithm);

      assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(algorithm);
      assertThat(jwt.getHeader().getKeyID()).isEqualTo(ring.currentKeyId(algorithm));
      assertThat(verifies(jwt, ring.publicKeys())).as(algorithm.getName()).isTrue();
    }
  }

  @Test
  void jwksPublishesNextAndCurrentOfEveryAlgorithmWithKidAlgAndUse() {
    List<JWK> keys = ring.publicKeys().getKeys();

    assertThat(keys).hasSize(2 * SigningKeyRing.ALGORITHMS.size());
    for (JWK key : keys) {
      assertThat(key.getKeyID()).isNotBlank();
      assertThat(key.getAlgorithm()).isNotNull();
      assertThat(key.getKeyUse()).isEqualTo(com.nimbusds.jose.jwk.KeyUse.SIGNATURE);
    }
    assertThat(keys.stream().map(JWK::getAlgorithm).map(Object::toString).distinct())
        .containsExactlyInAnyOrder("ES256", "RS256", "EdDSA");
  }

  @Test
  void jwksNeverContainsPrivateParts() {
    ring.rotateNow();
    String json = ring.publicKeys().toString(true);

    assertThat(ring.publicKeys().getKeys()).noneMatch(JWK::isPrivate);
    for (String member : List.of("\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"")) {
      assertThat(json).doesNotContain(member);
    }
  }

  @Test
  void tokenSignedBeforeRotationStillVerifiesAfterIt() {
    List<SignedJWT> before = new ArrayList<>();
    SigningKeyRing.ALGORITHMS.forEach(a -> before.add(signed(ring, a)));

    ring.rotateNow();

    for (SignedJWT jwt : before) {
      assertThat(verifies(jwt, ring.publicKeys())).isTrue();
      assertThat(ring.currentKeyId(jwt.getHeader().getAlgorithm()))
          .isNotEqualTo(jwt.getHeader().getKeyID());
    }
  }

  @Test
  void nextKeyBecomesCurrent() {
    Set<String> published = kids(ring.publicKeys());
    String current = ring.currentKeyId(JWSAlgorithm.RS256);
    published.remove(current);

    ring.rotateNow();

    String promoted = ring.currentKeyId(JWSAlgorithm.RS256);
    assertThat(promoted).isNotEqualTo(current);
    assertThat(published).as("it was published as next before it signed").contains(promoted);
    assertThat(signed(ring, JWSAlgorithm.RS256).getHeader().getKeyID()).isEqualTo(promoted);
  }

  @Test
  void afterTwoRotationsTheFirstKeyIsGoneFromJwks() {
    SignedJWT old = signed(ring, JWSAlgorithm.ES256);

    ring.rotateNow();
    ring.rotateNow();

    assertThat(kids(ring.publicKeys())).doesNotContain(old.getHeader().getKeyID());
    assertThat(verifies(old, ring.publicKeys())).isFalse();
    assertThat(ring.publicKeys().getKeys()).hasSize(3 * SigningKeyRing.ALGORITHMS.size());
    assertThat(ring.keys())
        .filteredOn(k -> k.kid().equals(old.getHeader().getKeyID()))
        .singleElement()
        .satisfies(k -> assertThat(k.state()).isEqualTo(SigningKeyRing.KeyState.RETIRED));
  }

  @Test
  void keysThatNoLongerSignHaveTheirPrivateHalvesDeleted() throws Exception {
    String first = ring.currentKeyId(JWSAlgorithm.EdDSA);
    ring.rotateNow();
    String second = ring.currentKeyId(JWSAlgorithm.EdDSA);
    ring.rotateNow();

    Map<String, Boolean> hasPrivate = privateHalves();
    assertThat(hasPrivate).containsEntry(first, false).containsEntry(second, false);
    assertThat(hasPrivate).containsEntry(ring.currentKeyId(JWSAlgorithm.EdDSA), true);
  }

  @Test
  void rotatesOnScheduleOnlyWhenThePeriodHasPassed() {
    String before = ring.currentKeyId(JWSAlgorithm.ES256);

    clock.advance(PERIOD.minusSeconds(1));
    assertThat(ring.rotateIfDue()).isEmpty();
    assertThat(ring.currentKeyId(JWSAlgorithm.ES256)).isEqualTo(before);

    clock.advance(Duration.ofSeconds(1));
    assertThat(ring.rotateIfDue()).hasSize(SigningKeyRing.ALGORITHMS.size());
    assertThat(ring.currentKeyId(JWSAlgorithm.ES256)).isNotEqualTo(before);
    assertThat(ring.rotateIfDue()).as("not due again until a period later").isEmpty();
  }

  @Test
  void keysSurviveARestart() {
    ring.rotateNow();
    Set<String> published = kids(ring.publicKeys());
    String current = ring.currentKeyId(JWSAlgorithm.RS256);
    ring.close();

    ring = SigningKeyRing.open(database, sealer, clock, PERIOD);

    assertThat(kids(ring.publicKeys())).isEqualTo(published);
    assertThat(ring.currentKeyId(JWSAlgorithm.RS256)).isEqualTo(current);
  }

  @Test
  void anotherInstancePicksUpARotation() {
    SigningKeyRing other = SigningKeyRing.open(database, sealer, clock, PERIOD);
    ring.rotateNow();

    assertThat(other.currentKeyId(JWSAlgorithm.ES256))
        .isNotEqualTo(ring.currentKeyId(JWSAlgorithm.ES256));
    assertThat(other.rotateIfDue()).as("it reloads, it does not rotate").isEmpty();

    assertThat(other.currentKeyId(JWSAlgorithm.ES256))
        .isEqualTo(ring.currentKeyId(JWSAlgorithm.ES256));
    assertThat(kids(other.publicKeys())).isEqualTo(kids(ring.publicKeys()));
  }

  @Test
  void staleInstanceForcingARotationDoesNotRotateTwice() {
    SigningKeyRing stale = SigningKeyRing.open(database, sealer, clock, PERIOD);
    ring.rotateNow();

    assertThat(stale.rotateNow()).as("already rotated by the other instance").isEmpty();
    assertThat(stale.currentKeyId(JWSAlgorithm.ES256))
        .isEqualTo(ring.currentKeyId(JWSAlgorithm.ES256));
    assertThat(ring.keys()).hasSize(3 * SigningKeyRing.ALGORITHMS.size());
  }

  @Test
  void concurrentRotationByTwoRingsRotatesOnce() throws Exception {
    SigningKeyRing other = SigningKeyRing.open(database, sealer, clock, PERIOD);
    clock.advance(PERIOD);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<List<SigningKeyRing.Rotation>> first =
          threads.submit(
              () -> {
                go.await();
                return ring.rotateIfDue();
              });
      Future<List<SigningKeyRing.Rotation>> second =
          threads.submit(
              () -> {
                go.await();
                return other.rotateIfDue();
              });
      go.countDown();

      assertThat(first.get().size() + second.get().size())
          .isEqualTo(SigningKeyRing.ALGORITHMS.size());
    } finally {
      threads.shutdownNow();
    }
    assertThat(ring.keys()).as("one new next key per algorithm").hasSize(9);
    other.rotateIfDue();
    ring.rotateIfDue();
    for (JWSAlgorithm algorithm : SigningKeyRing.ALGORITHMS) {
      assertThat(other.currentKeyId(algorithm)).isEqualTo(ring.currentKeyId(algorithm));
    }
  }

  @Test
  void algorithmWithoutARingIsRefused() {
    assertThatThrownBy(() -> signed(ring, JWSAlgorithm.HS256))
        .isInstanceOf(IdentityException.class)
        .extracting(e -> ((IdentityException) e).code())
        .isEqualTo(IdentityException.Code.SIGNING_KEY_UNAVAILABLE);
  }

  @Test
  void anotherMasterKeyCannotOpenTheRing() {
    SecretSealer other =
        MasterKey.fromBase64(
                java.util.Base64.getEncoder()
                    .encodeToString("another-key-of-32-bytes-length!!".getBytes()))
            .sealer();

    assertThatThrownBy(() -> SigningKeyRing.open(database, other, clock, PERIOD))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("master key");
  }

  @Test
  void jwksCacheLifetimeIsWellBelowTheRotationPeriod() {
    assertThat(ring.cacheMaxAge()).isEqualTo(Duration.ofMinutes(5));
    SigningKeyRing fast = SigningKeyRing.open(database, sealer, clock, Duration.ofMinutes(10));
    assertThat(fast.cacheMaxAge()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void backgroundTaskRotatesWhenDueAndReportsIt() throws Exception {
    ring.close();
    ring = SigningKeyRing.open(database, sealer, clock, Duration.ofSeconds(2));
    String before = ring.currentKeyId(JWSAlgorithm.ES256);
    java.util.concurrent.BlockingQueue<SigningKeyRing.Rotation> heard =
        new java.util.concurrent.LinkedBlockingQueue<>();
    ring.start(heard::add);

    clock.advance(Duration.ofSeconds(2));

    SigningKeyRing.Rotation rotation = heard.poll(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(rotation).as("a rotation within 20 s of falling due").isNotNull();
    assertThat(ring.currentKeyId(JWSAlgorithm.ES256)).isNotEqualTo(before);
  }

  @Test
  void keyOfAnEarlierVersionIsAdoptedAsCurrent() {
    String legacy = ring.currentKeyId(JWSAlgorithm.ES256);
    ring.close();
    // What V5 leaves of a data directory from before rotation: one current ES256 key, no ring.
    database.inTransaction(
        connection -> {
          try (PreparedStatement deleteRing =
                  connection.prepareStatement(
                      "DELETE FROM signing_key_rings WHERE algorithm = 'ES256'");
              PreparedStatement deleteNext =
                  connection.prepareStatement(
                      "DELETE FROM signing_keys WHERE algorithm = 'ES256' AND status = 'next'")) {
            deleteRing.executeUpdate();
            deleteNext.executeUpdate();
          }
          return null;
        });

    ring = SigningKeyRing.open(database, sealer, clock, PERIOD);

    assertThat(ring.currentKeyId(JWSAlgorithm.ES256)).isEqualTo(legacy);
    assertThat(ring.publicKeys().getKeys())
        .filteredOn(k -> k.getAlgorithm().getName().equals("ES256"))
        .as("current and a new next key")
        .hasSize(2);
  }

  private Map<String, Boolean> privateHalves() {
    return database.inTransaction(
        connection -> {
          Map<String, Boolean> result = new java.util.HashMap<>();
          try (PreparedStatement select =
                  connection.prepareStatement("SELECT kid, sealed_private FROM signing_keys");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              result.put(rows.getString(1), rows.getBytes(2) != null);
            }
          }
          return result;
        });
  }
}
