package dev.bulwark.identity.internal.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.bulwark.identity.internal.PasswordHasher;
import dev.bulwark.identity.internal.UserDirectory;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import dev.bulwark.runtime.storage.TestPostgres;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TOTP seeds and recovery codes in the identity database, on H2 and on PostgreSQL. */
class MfaStoresTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final SecretSealer sealer =
      MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();
  private Database database;
  private String userId;
  private String otherUserId;

  private void open(String engine) {
    DatabaseSettings settings =
        engine.equals("postgres")
            ? TestPostgres.freshSchema()
            : DatabaseSettings.embedded(dir, "identity");
    database = Database.open(settings, "identity-mfa", "classpath:db/identity");
    UserDirectory users = new UserDirectory(database, new PasswordHasher(), Clock.systemUTC());
    userId =
        users.create("alice", "Alice", Optional.empty(), "correct horse battery staple").userId();
    otherUserId =
        users.create("bob", "Bob", Optional.empty(), "correct horse battery staple").userId();
  }

  @AfterEach
  void close() {
    if (database != null) {
      database.close();
    }
  }

  private TotpCredentials totpAt(Instant time) {
    return new TotpCredentials(database, sealer, Clock.fixed(time, ZoneOffset.UTC));
  }

  private static String code(byte[] seed, Instant time) throws InvalidKeyException {
    return new TimeBasedOneTimePasswordGenerator()
        .generateOneTimePasswordString(new SecretKeySpec(seed, "HmacSHA1"), time, Locale.ROOT);
  }

  private byte[] storedSeed(String user) {
    return database.inTransaction(
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT sealed_secret FROM totp_credentials WHERE user_id = ?")) {
            select.setString(1, user);
            try (ResultSet rows = select.executeQuery()) {
              rows.next();
              return rows.getBytes(1);
            }
          }
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void totpSeedIsStoredSealedForItsUserOnly(String engine) {
    open(engine);
    TotpCredentials.Enrollment enrollment = totpAt(T0).begin(userId, "alice", "idp").orElseThrow();
    byte[] seed = Base32.decode(enrollment.base32Secret());

    byte[] stored = storedSeed(userId);

    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(new String(seed, java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThat(sealer.open(stored, "identity/totp/" + userId)).isEqualTo(seed);
    assertThatThrownBy(() -> sealer.open(stored, "identity/totp/" + otherUserId))
        .isInstanceOf(RuntimeException.class);
    assertThat(enrollment.otpauthUri())
        .startsWith("otpauth://totp/idp:alice?secret=" + enrollment.base32Secret())
        .contains("algorithm=SHA1", "digits=6", "period=30");
    assertThat(enrollment.toString()).doesNotContain(enrollment.base32Secret());
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void totpAcceptsOneStepOfDriftAndEachStepOnce(String engine) throws InvalidKeyException {
    open(engine);
    byte[] seed =
        Base32.decode(totpAt(T0).begin(userId, "alice", "idp").orElseThrow().base32Secret());
    assertThat(totpAt(T0).verify(userId, code(seed, T0))).as("unconfirmed").isFalse();
    assertThat(totpAt(T0).confirm(userId, code(seed, T0))).isTrue();
    assertThat(totpAt(T0).begin(userId, "alice", "idp")).as("already enrolled").isEmpty();

    Instant later = T0.plusSeconds(300);
    assertThat(totpAt(later).verify(userId, code(seed, later.plusSeconds(60))))
        .as("two steps ahead")
        .isFalse();
    assertThat(totpAt(later).verify(userId, code(seed, later.minusSeconds(60))))
        .as("two steps behind")
        .isFalse();
    assertThat(totpAt(later).verify(userId, code(seed, later.minusSeconds(30))))
        .as("one step behind")
        .isTrue();
    assertThat(totpAt(later).verify(userId, code(seed, later.minusSeconds(30))))
        .as("the same step again")
        .isFalse();
    assertThat(totpAt(later).verify(userId, code(seed, later.plusSeconds(30))))
        .as("one step ahead")
        .isTrue();
    assertThat(totpAt(later).verify(userId, code(seed, later)))
        .as("a step before the last one used")
        .isFalse();
    assertThat(totpAt(later).verify(userId, "12345")).isFalse();
    assertThat(totpAt(later).verify(otherUserId, code(seed, later))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "postgres"})
  void recoveryCodesAreLongHashedAndSingleUse(String engine) {
    open(engine);
    RecoveryCodes codes = new RecoveryCodes(database, Clock.systemUTC());

    List<String> issued = codes.issue(userId);

    assertThat(issued).hasSize(10).doesNotHaveDuplicates();
    // 16 base32 characters = 80 bits, in groups of four for reading.
    assertThat(issued).allMatch(c -> c.matches("[A-Z2-7]{4}(-[A-Z2-7]{4}){3}"));
    assertThat(codes.use(otherUserId, issued.get(0))).as("another user's code").isFalse();
    assertThat(codes.use(userId, issued.get(0).replace("-", " ").toLowerCase(Locale.ROOT)))
        .isTrue();
    assertThat(codes.use(userId, issued.get(0))).as("used before").isFalse();
    assertThat(codes.remaining(userId)).isEqualTo(9);
    List<String> replaced = codes.issue(userId);
    assertThat(codes.use(userId, issued.get(1))).as("from a replaced set").isFalse();
    assertThat(codes.use(userId, replaced.get(1))).isTrue();
  }
}
