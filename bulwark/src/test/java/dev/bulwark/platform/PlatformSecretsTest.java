package dev.bulwark.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SealedRecords;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.runtime.storage.Database;
import dev.bulwark.runtime.storage.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the rewrap job finds to re-seal in a data directory. */
class PlatformSecretsTest {
  @TempDir Path dir;

  @Test
  void identitysTotpSeedsAreAmongTheValuesRewrapped() throws Exception {
    SecretSealer sealer =
        MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32])).sealer();
    DatabaseSettings settings = DatabaseSettings.embedded(dir.resolve("identity"), "identity");
    try (Database database = Database.open(settings, "identity", "classpath:db/identity")) {
      String userId = "u-1";
      database.inTransaction(
          connection -> {
            try (PreparedStatement user =
                    connection.prepareStatement(
                        "INSERT INTO users (user_id, username, display_name, password_hash,"
                            + " enabled, created_at, password_changed_at)"
                            + " VALUES (?, 'fiona', 'Fiona', 'x', TRUE, ?, ?)");
                PreparedStatement totp =
                    connection.prepareStatement(
                        "INSERT INTO totp_credentials (user_id, sealed_secret, confirmed,"
                            + " last_step, created_at) VALUES (?, ?, TRUE, 0, ?)")) {
              Timestamp now = Timestamp.from(Instant.now());
              user.setString(1, userId);
              user.setTimestamp(2, now);
              user.setTimestamp(3, now);
              user.executeUpdate();
              totp.setString(1, userId);
              totp.setBytes(
                  2,
                  sealer.seal("seed".getBytes(StandardCharsets.UTF_8), "identity/totp/" + userId));
              totp.setTimestamp(3, now);
              totp.executeUpdate();
            }
            return null;
          });

      List<SealedRecords> values =
          PlatformSecrets.sealedValues(DataDirectory.open(dir), Optional.of(database.dataSource()));

      SealedRecords seeds =
          values.stream()
              .filter(v -> v.name().contains("totp_credentials"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no TOTP source among " + values));
      assertThat(seeds.count()).isEqualTo(1);
      assertThat(seeds.context(userId)).isEqualTo("identity/totp/" + userId);
      // The context is the one the seed was sealed for, so the job can open it.
      assertThat(
              sealer.open(seeds.page(Optional.empty(), 10).get(0).sealed(), seeds.context(userId)))
          .isEqualTo("seed".getBytes(StandardCharsets.UTF_8));
    }
  }
}
