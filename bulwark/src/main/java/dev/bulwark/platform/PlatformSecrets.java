package dev.bulwark.platform;

import static java.util.Objects.requireNonNull;

import dev.bulwark.keys.FileSealedRecord;
import dev.bulwark.keys.JdbcSealedRecords;
import dev.bulwark.keys.KeyRings;
import dev.bulwark.keys.MasterKey;
import dev.bulwark.keys.SealedRecords;
import dev.bulwark.keys.SecretSealer;
import dev.bulwark.platform.audit.PlatformAudit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Encryption at rest for Bulwark's own stores: the key rings of a data directory ({@code DIR/keys},
 * each ring's keyset encrypted under the master key), and the sealer every component uses for the
 * secrets it keeps, on the {@value #RING} ring. Values sealed under the master key alone, before
 * rings existed, still open, and {@code bulwark keys rewrap} moves them onto the ring's current
 * version.
 */
public final class PlatformSecrets {
  /** The ring that seals the platform's own secrets. */
  public static final String RING = "bulwark.secrets";

  /** Where the key rings live, under the data directory. */
  public static final String KEYS_DIRECTORY = "keys";

  private final KeyRings rings;
  private final SecretSealer sealer;

  private PlatformSecrets(KeyRings rings, SecretSealer sealer) {
    this.rings = rings;
    this.sealer = sealer;
  }

  /** Opens (creating on first use) the key rings of {@code data}. */
  public static PlatformSecrets open(DataDirectory data, MasterKey master, Clock clock) {
    requireNonNull(master, "master");
    KeyRings rings = KeyRings.open(data.resolve(KEYS_DIRECTORY), master, clock);
    return new PlatformSecrets(rings, SecretSealer.on(rings.ring(RING), master));
  }

  public KeyRings rings() {
    return rings;
  }

  /** The sealer for the platform's secrets. */
  public SecretSealer sealer() {
    return sealer;
  }

  /**
   * Every sealed value a stopped platform keeps in {@code data}: the CA's keys, the bootstrap
   * credentials, the audit checkpoint key, and identity's signing keys in {@code identity}'s
   * database when there is one.
   */
  public static List<SealedRecords> sealedValues(
      DataDirectory data, Optional<DataSource> identity) {
    List<SealedRecords> values = new ArrayList<>();
    Path ca = data.resolve("ca");
    if (CaHierarchy.exists(ca)) {
      values.addAll(CaHierarchy.inspect(ca, Clock.systemUTC()).sealedKeys());
    }
    Path bootstrap = data.resolve(BootstrapClients.FILE_NAME);
    if (Files.exists(bootstrap)) {
      values.add(new FileSealedRecord(bootstrap, BootstrapClients.CONTEXT));
    }
    Path checkpointKey = data.resolve(PlatformAudit.SEALED_KEY_FILE);
    if (Files.exists(checkpointKey)) {
      values.add(new FileSealedRecord(checkpointKey, PlatformAudit.KEY_CONTEXT));
    }
    identity.ifPresent(
        database -> {
          values.add(
              new JdbcSealedRecords(database, "signing_keys", "kid", "sealed_private")
                  .withContext(kid -> "identity/signing-key/" + kid));
          // Users' TOTP seeds: a seed left under a destroyed version would lock its user out.
          values.add(
              new JdbcSealedRecords(database, "totp_credentials", "user_id", "sealed_secret")
                  .withContext(userId -> "identity/totp/" + userId));
        });
    return values;
  }
}
