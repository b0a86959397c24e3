package dev.bulwark.keys;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Set;

/**
 * The key at the root of Bulwark's encryption at rest: an AES-256-GCM Tink keyset that seals every
 * secret the platform stores. It comes from the environment ({@code BULWARK_MASTER_KEY}: 32 random
 * bytes in base64) or from a file that only the owner can read.
 */
public final class MasterKey {
  /** The environment variable that supplies the master key in production. */
  public static final String ENVIRONMENT_VARIABLE = "BULWARK_MASTER_KEY";

  private final Aead aead;
  private final String origin;

  private MasterKey(Aead aead, String origin) {
    this.aead = aead;
    this.origin = origin;
  }

  /**
   * Reads the keyset from {@code file}, creating it (mode 0600) with a fresh key if it is absent.
   */
  public static MasterKey loadOrCreate(Path file) {
    requireNonNull(file, "file");
    try {
      registerTink();
      if (!Files.exists(file)) {
        KeysetHandle fresh =
            KeysetHandle.generateNew(
                PredefinedAeadParameters.AES256_GCM, RegistryConfiguration.get());
        String json =
            TinkJsonProtoKeysetFormat.serializeKeyset(
                fresh, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
        // Written beside the target and moved into place, so no reader ever sees a half-written
        // key; if another process won the race, its key is the one kept.
        Path temporary = Files.createTempFile(directoryOf(file), ".master", ".tmp");
        try {
          Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
          Files.writeString(temporary, json, StandardCharsets.UTF_8);
          Files.createLink(file, temporary);
        } catch (FileAlreadyExistsException raced) {
          // Fall through and read theirs.
        } finally {
          Files.deleteIfExists(temporary);
        }
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream()
          .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        throw new KeysException(
            KeysException.Code.MASTER_KEY_INVALID,
            "the master key file "
                + file
                + " is readable by others ("
                + PosixFilePermissions.toString(permissions)
                + "); run 'chmod 600 "
                + file
                + "'");
      }
      KeysetHandle handle =
          TinkJsonProtoKeysetFormat.parseKeyset(
              Files.readString(file, StandardCharsets.UTF_8),
              RegistryConfiguration.get(),
              InsecureSecretKeyAccess.get());
      return new MasterKey(
          handle.getPrimitive(RegistryConfiguration.get(), Aead.class), "file " + file);
    } catch (IOException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "cannot read or create the master key file " + file + ": " + e.getMessage(),
          e);
    } catch (KeysException e) {
      throw e;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "the master key file " + file + " is not a valid Tink AES-GCM keyset",
          e);
    }
  }

  /**
   * The master key as Bulwark finds it: from {@link #ENVIRONMENT_VARIABLE} in {@code environment}
   * if set, else from {@code file} (created on first use).
   */
  public static MasterKey load(java.util.Map<String, String> environment, Path file) {
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    return fromEnvironment != null ? fromBase64(fromEnvironment) : loadOrCreate(file);
  }

  /** A master key given as 32 random bytes in base64, as in {@code BULWARK_MASTER_KEY}. */
  public static MasterKey fromBase64(String base64) {
    requireNonNull(base64, "base64");
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          ENVIRONMENT_VARIABLE
              + " is not base64 (expected: 32 random bytes in base64, e.g. from 'openssl rand -base64 32')");
    }
    if (bytes.length != 32) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          ENVIRONMENT_VARIABLE
              + " holds "
              + bytes.length
              + " bytes (expected: 32, e.g. from 'openssl rand -base64 32')");
    }
    try {
      registerTink();
      AesGcmParameters parameters =
          AesGcmParameters.builder()
              .setKeySizeBytes(32)
              .setIvSizeBytes(12)
              .setTagSizeBytes(16)
              .setVariant(AesGcmParameters.Variant.TINK)
              .build();
      // A fixed id: the same bytes must give the same keyset on every start.
      AesGcmKey key =
          AesGcmKey.builder()
              .setParameters(parameters)
              .setKeyBytes(SecretBytes.copyFrom(bytes, InsecureSecretKeyAccess.get()))
              .setIdRequirement(1)
              .build();
      KeysetHandle handle =
          KeysetHandle.newBuilder()
              .addEntry(KeysetHandle.importKey(key).withFixedId(1).makePrimary())
              .build();
      return new MasterKey(
          handle.getPrimitive(RegistryConfiguration.get(), Aead.class), "environment");
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "cannot use " + ENVIRONMENT_VARIABLE + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A master key held by a key management service: every use is a call to the KMS through {@code
   * client}, so the key itself never leaves it. Cloud KMSs plug in through Tink's {@link KmsClient}
   * (e.g. {@code gcp-kms://...}, {@code aws-kms://...}).
   *
   * @throws KeysException {@code MASTER_KEY_INVALID} if the client does not serve {@code keyUri}
   */
  public static MasterKey fromKms(KmsClient client, String keyUri) {
    requireNonNull(client, "client");
    requireNonNull(keyUri, "keyUri");
    if (!client.doesSupport(keyUri)) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "keyUri: " + keyUri + " (expected: a key URI the given KMS client supports)");
    }
    try {
      registerTink();
      return new MasterKey(client.getAead(keyUri), "kms " + keyUri);
    } catch (GeneralSecurityException e) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "cannot use the KMS key " + keyUri + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A sealer for secrets under this master key alone, in the format Bulwark used before key rings.
   * New stores use {@link SecretSealer#on(KeyRing, MasterKey)}, which still opens these values.
   */
  public SecretSealer sealer() {
    return SecretSealer.legacy(aead);
  }

  /** The key-encryption primitive, for the key rings kept under this master key. */
  Aead aead() {
    return aead;
  }

  /** Where the key came from, for logs (never the key itself). */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "MasterKey{origin=" + origin + ", key=***}";
  }

  private static void registerTink() throws GeneralSecurityException {
    AeadConfig.register();
  }

  private static Path directoryOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null) {
      throw new KeysException(
          KeysException.Code.MASTER_KEY_INVALID,
          "the master key file " + file + " has no parent directory");
    }
    return parent;
  }
}
