package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryKeyRingsTest {
  private static final byte[] SECRET = "db-password-7f3a".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "bulwark/secrets/db".getBytes(StandardCharsets.UTF_8);
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path parent;
  private final MasterKey master = TestMasterKeys.random();

  private Path directory() {
    return parent.resolve("keys");
  }

  @Test
  void createsAPrivateDirectoryAndOnePrivateFilePerRing() throws Exception {
    KeyRings.open(directory(), master, CLOCK).ring("bulwark.secrets");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory())))
        .isEqualTo("rwx------");
    Path file = directory().resolve("bulwark.secrets.json");
    assertThat(file).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var files = Files.list(directory())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void refusesADirectoryOthersCanReadAndSaysHowToFixIt() throws Exception {
    Files.createDirectories(directory());
    Files.setPosixFilePermissions(directory(), PosixFilePermissions.fromString("rwxr-x---"));

    assertThatThrownBy(() -> KeyRings.open(directory(), master, CLOCK))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.STORE_FAILED);
              assertThat(e.getMessage()).contains("chmod 700 " + directory().toAbsolutePath());
            });
  }

  @Test
  void reopeningTheDirectoryGivesTheSameRings() {
    KeyRings first = KeyRings.open(directory(), master, CLOCK);
    KeyRing ring = first.ring("payments");
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();
    byte[] fresh = ring.encrypt(SECRET, AAD);
    first.ring("tenant.acme");

    KeyRings reopened = KeyRings.open(directory(), master, CLOCK);

    assertThat(reopened.names()).containsExactly("payments", "tenant.acme");
    KeyRing again = reopened.find("payments").orElseThrow();
    assertThat(again.versions()).isEqualTo(ring.versions());
    assertThat(again.primaryVersion()).isEqualTo(2);
    assertThat(again.decrypt(old, AAD)).isEqualTo(SECRET);
    assertThat(again.decrypt(fresh, AAD)).isEqualTo(SECRET);
  }

  @Test
  void disabledStateSurvivesReopening() {
    KeyRing ring = KeyRings.open(directory(), master, CLOCK).ring("payments");
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();
    ring.disable(1);

    KeyRing again = KeyRings.open(directory(), master, CLOCK).ring("payments");

    assertThatThrownBy(() -> again.decrypt(old, AAD))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.VERSION_DISABLED));
  }

  @Test
  void destroyedVersionIsGoneAfterReopeningAndItsKeyIsNotInTheFile() throws Exception {
    KeyRing ring = KeyRings.open(directory(), master, CLOCK).ring("payments");
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();
    Path file = directory().resolve("payments.json");
    byte[] keysetBefore = RingFile.fromJson(Files.readAllBytes(file), "payments").encryptedKeyset();
    ring.disable(1);

    ring.destroy(1);

    KeyRing again = KeyRings.open(directory(), master, CLOCK).ring("payments");
    assertThat(again.versions().getFirst().state()).isEqualTo(KeyVersion.State.DESTROYED);
    assertThatThrownBy(() -> again.decrypt(old, AAD))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.VERSION_DESTROYED));
    assertThatThrownBy(() -> again.enable(1))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.ILLEGAL_STATE));
    // The keyset now holds one key where it held two: the destroyed one was removed, not hidden.
    byte[] keysetAfter = RingFile.fromJson(Files.readAllBytes(file), "payments").encryptedKeyset();
    assertThat(keysetAfter.length).isLessThan(keysetBefore.length);
    assertThat(keyCount(file)).isEqualTo(1);
  }

  @Test
  void ringFileHoldsNoPlaintextKeyMaterial() throws Exception {
    KeyRing ring = KeyRings.open(directory(), master, CLOCK).ring("payments");
    DataKey probe = ring.generateDataKey();
    byte[] file = Files.readAllBytes(directory().resolve("payments.json"));
    String text = new String(file, StandardCharsets.UTF_8);

    // The key material is only reachable through the master key.
    byte[] kek = kekBytes(directory().resolve("payments.json"), 1);
    assertThat(indexOf(file, kek)).isEqualTo(-1);
    assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(kek));
    assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(probe.plaintext()));
    assertThat(text)
        .doesNotContain("AesGcmKey")
        .doesNotContain("type.googleapis.com/google.crypto.tink.AesGcmKey\",\"value");
  }

  @Test
  void wrongMasterKeyIsRefusedWithAClearCode() {
    KeyRings.open(directory(), master, CLOCK).ring("payments");

    KeyRings other = KeyRings.open(directory(), TestMasterKeys.random(), CLOCK);

    assertThatThrownBy(() -> other.ring("payments"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              assertThat(e.getMessage()).contains("payments").contains("master key");
            });
  }

  @Test
  void ringFileWithAnEditedStateDoesNotOpen() throws Exception {
    KeyRing ring = KeyRings.open(directory(), master, CLOCK).ring("payments");
    ring.rotate();
    ring.disable(1);
    Path file = directory().resolve("payments.json");
    String edited = Files.readString(file).replace("\"DISABLED\"", "\"ENABLED\"");
    Files.writeString(file, edited);

    assertThatThrownBy(() -> KeyRings.open(directory(), master, CLOCK).ring("payments"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID));
  }

  @Test
  void ringFileCopiedUnderAnotherNameDoesNotOpen() throws Exception {
    KeyRings.open(directory(), master, CLOCK).ring("payments");
    String json = Files.readString(directory().resolve("payments.json"));
    Files.writeString(
        directory().resolve("stolen.json"), json.replace("\"payments\"", "\"stolen\""));

    assertThatThrownBy(() -> KeyRings.open(directory(), master, CLOCK).ring("stolen"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID));
  }

  @Test
  void corruptRingFileIsReportedWithoutItsContents() throws Exception {
    Files.createDirectories(
        directory(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(
        directory().resolve("payments.json"), "{\"format\": 1, \"ring\": \"hunter2\"");

    assertThatThrownBy(() -> KeyRings.open(directory(), master, CLOCK).ring("payments"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.STORE_FAILED);
              assertThat(e.getMessage()).doesNotContain("hunter2");
            });
  }

  @Test
  void leftoverTemporaryFilesAreNotRings() throws Exception {
    KeyRings rings = KeyRings.open(directory(), master, CLOCK);
    rings.ring("payments");
    Files.writeString(directory().resolve(".payments.123.tmp"), "half a ring");

    assertThat(KeyRings.open(directory(), master, CLOCK).names()).containsExactly("payments");
  }

  @Test
  void ringsUnderAKmsMasterKeyReopen() {
    MasterKey kms = TestKms.masterKey();
    KeyRing ring = KeyRings.open(directory(), kms, CLOCK).ring("payments");
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    KeyRing again = KeyRings.open(directory(), kms, CLOCK).ring("payments");

    assertThat(again.decrypt(ciphertext, AAD)).isEqualTo(SECRET);
  }

  private byte[] kekBytes(Path file, int version) throws Exception {
    var handle =
        com.google.crypto.tink.TinkProtoKeysetFormat.parseEncryptedKeyset(
            RingFile.fromJson(Files.readAllBytes(file), "payments").encryptedKeyset(),
            master.aead(),
            RingFile.associatedData(
                "payments", RingFile.fromJson(Files.readAllBytes(file), "payments").versions()),
            com.google.crypto.tink.RegistryConfiguration.get());
    var key = (com.google.crypto.tink.aead.AesGcmKey) handle.getAt(version - 1).getKey();
    return key.getKeyBytes().toByteArray(com.google.crypto.tink.InsecureSecretKeyAccess.get());
  }

  private int keyCount(Path file) throws Exception {
    RingFile ring = RingFile.fromJson(Files.readAllBytes(file), "payments");
    return com.google.crypto.tink.TinkProtoKeysetFormat.parseEncryptedKeyset(
            ring.encryptedKeyset(),
            master.aead(),
            RingFile.associatedData("payments", ring.versions()),
            com.google.crypto.tink.RegistryConfiguration.get())
        .size();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}
