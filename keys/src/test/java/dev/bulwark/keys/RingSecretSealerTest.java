package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class RingSecretSealerTest {
  private static final String CONTEXT = "ca/intermediate-key/1";
  private static final byte[] SECRET =
      "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.UTF_8);

  private final MasterKey master = TestMasterKeys.random();
  private final KeyRing ring = KeyRings.inMemory(master, Clock.systemUTC()).ring("bulwark.secrets");
  private final SecretSealer sealer = SecretSealer.on(ring, master);

  @Test
  void opensWhatItSealed() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThat(sealer.open(sealed, CONTEXT)).isEqualTo(SECRET);
    assertThat(ring.versionOf(sealed)).isEqualTo(1);
    assertThat(sealer.isCurrent(sealed)).isTrue();
  }

  @Test
  void refusesToOpenUnderAnotherContext() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(sealed, "ca/intermediate-key/2"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void refusesAValueWithAnyByteFlipped() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      assertThatThrownBy(() -> sealer.open(tampered, CONTEXT))
          .as("byte %d flipped", i)
          .isInstanceOfSatisfying(
              KeysException.class,
              e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
    }
  }

  @Test
  void opensValuesSealedByTheMasterKeyAlone() {
    byte[] legacy = master.sealer().seal(SECRET, CONTEXT);

    assertThat(sealer.open(legacy, CONTEXT)).isEqualTo(SECRET);
    assertThat(sealer.isCurrent(legacy)).isFalse();
  }

  @Test
  void legacyValueStillNeedsItsContext() {
    byte[] legacy = master.sealer().seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(legacy, "elsewhere"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void withoutTheLegacyKeyLegacyValuesDoNotOpen() {
    byte[] legacy = master.sealer().seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> SecretSealer.on(ring).open(legacy, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void legacyValueOfAnotherMasterKeyDoesNotOpen() {
    byte[] foreign = TestMasterKeys.random().sealer().seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(foreign, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void rewrapBringsALegacyValueIntoTheRing() {
    byte[] legacy = master.sealer().seal(SECRET, CONTEXT);

    byte[] moved = sealer.rewrap(legacy, CONTEXT);

    assertThat(sealer.isCurrent(moved)).isTrue();
    assertThat(SecretSealer.on(ring).open(moved, CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void rewrapOfALegacyValueUnderTheWrongContextFails() {
    byte[] legacy = master.sealer().seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.rewrap(legacy, "elsewhere"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void rewrapMovesAValueToTheNewPrimary() {
    byte[] old = sealer.seal(SECRET, CONTEXT);
    ring.rotate();
    assertThat(sealer.isCurrent(old)).isFalse();

    byte[] moved = sealer.rewrap(old, CONTEXT);

    assertThat(ring.versionOf(moved)).isEqualTo(2);
    assertThat(sealer.isCurrent(moved)).isTrue();
    assertThat(sealer.open(moved, CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void valueUnderADisabledVersionReportsIt() {
    byte[] old = sealer.seal(SECRET, CONTEXT);
    ring.rotate();
    ring.disable(1);

    assertThatThrownBy(() -> sealer.open(old, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.VERSION_DISABLED));
  }

  @Test
  void ringValueCannotBeOpenedByTheMasterKeysOwnSealer() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> master.sealer().open(sealed, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void sealedValueDoesNotContainThePlaintextOrContext() {
    String text = new String(sealer.seal(SECRET, CONTEXT), StandardCharsets.ISO_8859_1);

    assertThat(text).doesNotContain("PRIVATE KEY").doesNotContain(CONTEXT);
  }
}
