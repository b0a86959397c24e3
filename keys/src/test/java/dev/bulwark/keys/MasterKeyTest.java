package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {
  private static final String CONTEXT = "identity/signing-key/k1";
  private static final byte[] SECRET = "s3cr3t-value".getBytes(StandardCharsets.UTF_8);

  @TempDir Path directory;

  @Test
  void loadOrCreateCreatesKeyFileReadableOnlyByItsOwner() throws Exception {
    assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
    Path file = directory.resolve("master.key");

    MasterKey.loadOrCreate(file);

    assertThat(file).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void loadTakesTheEnvironmentsKeyOverTheFileAndTheFileOtherwise() {
    Path file = directory.resolve("master.key");
    String base64 = Base64.getEncoder().encodeToString(new byte[32]);

    MasterKey fromEnvironment =
        MasterKey.load(java.util.Map.of(MasterKey.ENVIRONMENT_VARIABLE, base64), file);
    assertThat(file).doesNotExist();
    MasterKey fromFile = MasterKey.load(java.util.Map.of(), file);

    assertThat(file).exists();
    byte[] sealed = fromEnvironment.sealer().seal(new byte[] {1, 2, 3}, "ctx");
    assertThat(MasterKey.fromBase64(base64).sealer().open(sealed, "ctx")).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> fromFile.sealer().open(sealed, "ctx"))
        .isInstanceOf(KeysException.class);
  }

  @Test
  void loadOrCreateLoadsTheSameKeyAgain() {
    Path file = directory.resolve("master.key");
    byte[] sealed = MasterKey.loadOrCreate(file).sealer().seal(SECRET, CONTEXT);

    MasterKey reloaded = MasterKey.loadOrCreate(file);

    assertThat(reloaded.sealer().open(sealed, CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void loadOrCreateDoesNotReplaceAnExistingKeyFile() throws Exception {
    Path file = directory.resolve("master.key");
    MasterKey.loadOrCreate(file);
    String before = Files.readString(file);

    MasterKey.loadOrCreate(file);

    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void corruptedKeyFileFailsWithoutRevealingItsContents() throws Exception {
    Path file = directory.resolve("master.key");
    MasterKey.loadOrCreate(file);
    String contents = Files.readString(file);
    String corrupted = contents.substring(0, contents.length() / 2);
    Files.writeString(file, corrupted);

    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              assertThat(e.getMessage()).contains(file.toString());
              for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(corrupted);
              }
            });
  }

  @Test
  void keyFileHoldingSomethingElseFailsWithoutRevealingIt() throws Exception {
    Path file = directory.resolve("master.key");
    String notAKeyset = "{\"primaryKeyId\": \"hunter2-top-secret\"}";
    Files.writeString(file, notAKeyset);

    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2");
              }
            });
  }

  @Test
  void fromBase64RejectsTextThatIsNotBase64() {
    assertThatThrownBy(() -> MasterKey.fromBase64("not base64 at all!"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              assertThat(e.getMessage())
                  .contains("BULWARK_MASTER_KEY")
                  .contains("32")
                  .doesNotContain("not base64 at all!");
            });
  }

  @Test
  void fromBase64RejectsSixteenBytes() {
    String sixteenBytes = TestMasterKeys.randomBase64(16);

    assertThatThrownBy(() -> MasterKey.fromBase64(sixteenBytes))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              assertThat(e.getMessage())
                  .contains("BULWARK_MASTER_KEY")
                  .contains("16")
                  .contains("32")
                  .doesNotContain(sixteenBytes);
            });
  }

  @Test
  void fromBase64RejectsThirtyThreeBytes() {
    assertThatThrownBy(() -> MasterKey.fromBase64(TestMasterKeys.randomBase64(33)))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID));
  }

  @Test
  void fromBase64AcceptsThirtyTwoBytes() {
    MasterKey key = MasterKey.fromBase64(TestMasterKeys.randomBase64());

    assertThat(key.sealer().open(key.sealer().seal(SECRET, CONTEXT), CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void fromBase64ToleratesSurroundingWhitespace() {
    String base64 = TestMasterKeys.randomBase64();
    byte[] sealed = MasterKey.fromBase64(base64).sealer().seal(SECRET, CONTEXT);

    MasterKey padded = MasterKey.fromBase64(" " + base64 + "\n");

    assertThat(padded.sealer().open(sealed, CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void sameBytesGiveKeysThatOpenEachOthersValues() {
    String base64 = TestMasterKeys.randomBase64();
    SecretSealer first = MasterKey.fromBase64(base64).sealer();
    SecretSealer second = MasterKey.fromBase64(base64).sealer();

    assertThat(second.open(first.seal(SECRET, CONTEXT), CONTEXT)).isEqualTo(SECRET);
    assertThat(first.open(second.seal(SECRET, CONTEXT), CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void toStringOfKeyFromEnvironmentContainsNoKeyMaterial() {
    String base64 = TestMasterKeys.randomBase64();
    byte[] raw = Base64.getDecoder().decode(base64);

    String text = MasterKey.fromBase64(base64).toString();

    assertThat(text)
        .doesNotContain(base64)
        .doesNotContain(base64.substring(0, 8))
        .doesNotContain(HexFormat.of().formatHex(raw).substring(0, 16))
        .contains("***");
  }

  @Test
  void toStringOfKeyFromFileContainsNoKeyMaterial() throws Exception {
    Path file = directory.resolve("master.key");
    MasterKey key = MasterKey.loadOrCreate(file);
    String keyValue = keysetKeyValue(Files.readString(file));

    assertThat(key.toString())
        .doesNotContain(keyValue)
        .doesNotContain(keyValue.substring(0, 8))
        .contains("***");
    assertThat(key.origin()).doesNotContain(keyValue);
  }

  // The base64 "value" of the key in a Tink JSON keyset: the serialized secret key material.
  private static String keysetKeyValue(String json) {
    int field = json.indexOf("\"value\"");
    assertThat(field).as("keyset has a key value").isNotNegative();
    int start = json.indexOf('"', json.indexOf(':', field)) + 1;
    return json.substring(start, json.indexOf('"', start));
  }

  @Test
  void keyFileReadableByOthersIsRefusedWithTheFix() throws Exception {
    Path file = directory.resolve("master.key");
    MasterKey.loadOrCreate(file);
    java.nio.file.Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOf(KeysException.class)
        .hasMessageContaining("readable by others")
        .hasMessageContaining("chmod 600");
  }
}
