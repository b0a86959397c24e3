package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class KeyRingTest {
  private static final byte[] SECRET = "card 4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "payments/row/42".getBytes(StandardCharsets.UTF_8);
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  private final KeyRings rings = KeyRings.inMemory(TestMasterKeys.random(), CLOCK);
  private final KeyRing ring = rings.ring("payments");

  @Test
  void decryptsWhatItEncrypted() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    assertThat(ring.decrypt(ciphertext, AAD)).isEqualTo(SECRET);
  }

  @Test
  void newRingHasOneEnabledPrimaryVersion() {
    assertThat(ring.versions())
        .containsExactly(new KeyVersion(1, KeyVersion.State.ENABLED, true, CLOCK.instant()));
    assertThat(ring.primaryVersion()).isEqualTo(1);
  }

  @Test
  void ciphertextNamesItsVersionInTheHeader() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    assertThat(ciphertext[0]).isEqualTo(Envelope.MAGIC);
    assertThat(ciphertext[1]).isEqualTo((byte) 1);
    assertThat(ring.versionOf(ciphertext)).isEqualTo(1);
  }

  @Test
  void encryptsTheSamePlaintextDifferentlyEachTime() {
    assertThat(ring.encrypt(SECRET, AAD)).isNotEqualTo(ring.encrypt(SECRET, AAD));
  }

  @Test
  void refusesWrongAssociatedData() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    assertDecryptFails(
        () -> ring.decrypt(ciphertext, "payments/row/43".getBytes(StandardCharsets.UTF_8)),
        KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void refusesCiphertextOfAnotherRing() {
    byte[] ciphertext = rings.ring("other").encrypt(SECRET, AAD);

    assertDecryptFails(() -> ring.decrypt(ciphertext, AAD), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void refusesCiphertextOfARingOfTheSameNameUnderAnotherMasterKey() {
    KeyRing twin = KeyRings.inMemory(TestMasterKeys.random(), CLOCK).ring("payments");
    byte[] ciphertext = twin.encrypt(SECRET, AAD);

    assertDecryptFails(() -> ring.decrypt(ciphertext, AAD), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void refusesCiphertextWithAnyByteFlipped() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    for (int i = 0; i < ciphertext.length; i++) {
      byte[] tampered = ciphertext.clone();
      tampered[i] ^= 0x01;

      assertThatThrownBy(() -> ring.decrypt(tampered, AAD))
          .as("byte %d flipped", i)
          .isInstanceOf(KeysException.class);
    }
  }

  @Test
  void refusesTruncatedAndEmptyCiphertexts() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    for (int length : new int[] {0, 1, 7, 8, 40, ciphertext.length - 1}) {
      byte[] truncated = Arrays.copyOf(ciphertext, length);
      assertDecryptFails(() -> ring.decrypt(truncated, AAD), KeysException.Code.DECRYPT_FAILED);
    }
  }

  @Test
  void refusesCiphertextWhoseVersionWasChangedInTheHeader() throws Exception {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);
    ring.rotate();
    byte[] relabelled = ciphertext.clone();
    relabelled[5] = 2;

    assertDecryptFails(() -> ring.decrypt(relabelled, AAD), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void refusesPayloadSpliceBetweenTwoCiphertexts() {
    Envelope first = Envelope.parse(ring.encrypt(SECRET, AAD));
    Envelope second = Envelope.parse(ring.encrypt(SECRET, AAD));
    byte[] spliced =
        new Envelope(Envelope.Kind.CIPHERTEXT, 1, first.wrappedKey(), second.payload()).toBytes();

    assertDecryptFails(() -> ring.decrypt(spliced, AAD), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void rotationKeepsOldCiphertextsReadableAndEncryptsUnderTheNewPrimary() {
    byte[] old = ring.encrypt(SECRET, AAD);

    KeyVersion added = ring.rotate();
    byte[] fresh = ring.encrypt(SECRET, AAD);

    assertThat(added.version()).isEqualTo(2);
    assertThat(added.primary()).isTrue();
    assertThat(ring.primaryVersion()).isEqualTo(2);
    assertThat(ring.versionOf(old)).isEqualTo(1);
    assertThat(ring.versionOf(fresh)).isEqualTo(2);
    assertThat(ring.decrypt(old, AAD)).isEqualTo(SECRET);
    assertThat(ring.decrypt(fresh, AAD)).isEqualTo(SECRET);
    assertThat(ring.versions()).extracting(KeyVersion::primary).containsExactly(false, true);
  }

  @Test
  void rewrapMovesTheDataKeyToThePrimaryAndLeavesThePayloadAlone() {
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();

    byte[] rewrapped = ring.rewrap(old);

    assertThat(ring.versionOf(rewrapped)).isEqualTo(2);
    assertThat(Envelope.parse(rewrapped).payload()).isEqualTo(Envelope.parse(old).payload());
    assertThat(ring.decrypt(rewrapped, AAD)).isEqualTo(SECRET);
  }

  @Test
  void rewrappedCiphertextDecryptsAfterItsOldVersionIsDestroyed() {
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();
    byte[] rewrapped = ring.rewrap(old);

    ring.disable(1);
    ring.destroy(1);

    assertThat(ring.decrypt(rewrapped, AAD)).isEqualTo(SECRET);
    assertDecryptFails(() -> ring.decrypt(old, AAD), KeysException.Code.VERSION_DESTROYED);
  }

  @Test
  void rewrapOfACurrentCiphertextReturnsItUnchanged() {
    byte[] current = ring.encrypt(SECRET, AAD);

    assertThat(ring.rewrap(current)).isEqualTo(current);
  }

  @Test
  void rewrapRefusesCiphertextOfAnotherRing() {
    byte[] foreign = rings.ring("other").encrypt(SECRET, AAD);
    ring.rotate();

    assertDecryptFails(() -> ring.rewrap(foreign), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void disabledVersionRefusesToDecryptAndEnableRestoresIt() {
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();

    KeyVersion disabled = ring.disable(1);

    assertThat(disabled.state()).isEqualTo(KeyVersion.State.DISABLED);
    assertDecryptFails(() -> ring.decrypt(old, AAD), KeysException.Code.VERSION_DISABLED);
    assertDecryptFails(() -> ring.rewrap(old), KeysException.Code.VERSION_DISABLED);
    assertThat(ring.enable(1).state()).isEqualTo(KeyVersion.State.ENABLED);
    assertThat(ring.decrypt(old, AAD)).isEqualTo(SECRET);
  }

  @Test
  void refusesToDisableThePrimary() {
    assertDecryptFails(() -> ring.disable(1), KeysException.Code.ILLEGAL_STATE);
    assertThat(ring.versions().getFirst().state()).isEqualTo(KeyVersion.State.ENABLED);
  }

  @Test
  void refusesToDestroyAnEnabledVersion() {
    ring.rotate();

    assertDecryptFails(() -> ring.destroy(1), KeysException.Code.ILLEGAL_STATE);
    assertDecryptFails(() -> ring.destroy(2), KeysException.Code.ILLEGAL_STATE);
  }

  @Test
  void destroyedVersionStaysListedAndCannotComeBack() {
    byte[] old = ring.encrypt(SECRET, AAD);
    ring.rotate();
    ring.disable(1);

    KeyVersion destroyed = ring.destroy(1);

    assertThat(destroyed.state()).isEqualTo(KeyVersion.State.DESTROYED);
    assertThat(ring.versions())
        .extracting(KeyVersion::version, KeyVersion::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, KeyVersion.State.DESTROYED),
            org.assertj.core.groups.Tuple.tuple(2, KeyVersion.State.ENABLED));
    assertDecryptFails(() -> ring.enable(1), KeysException.Code.ILLEGAL_STATE);
    assertDecryptFails(() -> ring.disable(1), KeysException.Code.ILLEGAL_STATE);
    assertDecryptFails(() -> ring.decrypt(old, AAD), KeysException.Code.VERSION_DESTROYED);
  }

  @Test
  void unknownVersionIsReported() {
    assertDecryptFails(() -> ring.disable(7), KeysException.Code.VERSION_NOT_FOUND);
    assertDecryptFails(() -> ring.enable(0), KeysException.Code.VERSION_NOT_FOUND);
  }

  @Test
  void dataKeyUnwrapsToTheSamePlaintextKey() {
    DataKey key = ring.generateDataKey();

    assertThat(key.plaintext()).hasSize(32);
    assertThat(key.version()).isEqualTo(1);
    assertThat(ring.versionOf(key.wrapped())).isEqualTo(1);
    assertThat(ring.decryptDataKey(key.wrapped())).isEqualTo(key.plaintext());
    assertThat(key.toString()).contains("***");
  }

  @Test
  void dataKeysAreFreshEachTime() {
    assertThat(ring.generateDataKey().plaintext()).isNotEqualTo(ring.generateDataKey().plaintext());
  }

  @Test
  void wrappedDataKeyIsRewrappedAndStillUnwraps() {
    DataKey key = ring.generateDataKey();
    ring.rotate();

    byte[] rewrapped = ring.rewrap(key.wrapped());

    assertThat(ring.versionOf(rewrapped)).isEqualTo(2);
    assertThat(ring.decryptDataKey(rewrapped)).isEqualTo(key.plaintext());
  }

  @Test
  void refusesToUnwrapTheDataKeyOfACiphertextAsADataKey() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);
    Envelope envelope = Envelope.parse(ciphertext);
    byte[] relabelled =
        new Envelope(Envelope.Kind.DATA_KEY, 1, envelope.wrappedKey(), new byte[0]).toBytes();

    assertDecryptFails(() -> ring.decryptDataKey(ciphertext), KeysException.Code.DECRYPT_FAILED);
    assertDecryptFails(() -> ring.decryptDataKey(relabelled), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void refusesToDecryptAWrappedDataKeyAsACiphertext() {
    DataKey key = ring.generateDataKey();

    assertDecryptFails(() -> ring.decrypt(key.wrapped(), AAD), KeysException.Code.DECRYPT_FAILED);
  }

  @Test
  void disabledVersionRefusesToUnwrapDataKeys() {
    DataKey key = ring.generateDataKey();
    ring.rotate();
    ring.disable(1);

    assertDecryptFails(
        () -> ring.decryptDataKey(key.wrapped()), KeysException.Code.VERSION_DISABLED);
  }

  @Test
  void ringsAreFoundByNameAndListedSorted() {
    rings.ring("b.tenant");
    rings.ring("a.tenant");

    assertThat(rings.names()).containsExactly("a.tenant", "b.tenant", "payments");
    assertThat(rings.find("payments")).containsSame(ring);
    assertThat(rings.find("missing")).isEmpty();
    assertThat(rings.ring("payments")).isSameAs(ring);
  }

  @Test
  void refusesMalformedRingNames() {
    for (String name :
        List.of("", "Upper", "-lead", "../escape", "a/b", "x".repeat(65), "sp ace")) {
      assertDecryptFails(() -> rings.ring(name), KeysException.Code.INVALID_ARGUMENT);
    }
  }

  @Test
  void errorMessagesNeverContainThePlaintext() {
    byte[] ciphertext = ring.encrypt(SECRET, AAD);

    assertThatThrownBy(() -> ring.decrypt(ciphertext, new byte[0]))
        .hasMessageNotContaining(new String(SECRET, StandardCharsets.UTF_8));
  }

  @Test
  void concurrentEncryptionsAndRotationsAllDecrypt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> results = new ArrayList<>();
      List<Future<KeyVersion>> rotations = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        if (i % 50 == 0) {
          rotations.add(pool.submit(ring::rotate));
        }
        results.add(pool.submit(() -> ring.encrypt(SECRET, AAD)));
      }
      for (Future<byte[]> result : results) {
        assertThat(ring.decrypt(result.get(), AAD)).isEqualTo(SECRET);
      }
      for (Future<KeyVersion> rotation : rotations) {
        rotation.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(ring.versions()).hasSize(5);
    assertThat(ring.versions()).filteredOn(KeyVersion::primary).hasSize(1);
  }

  @Test
  void failedWriteLeavesTheRingAsItWas() {
    java.util.concurrent.atomic.AtomicBoolean failing =
        new java.util.concurrent.atomic.AtomicBoolean();
    MemoryRingStore memory = new MemoryRingStore();
    RingStore flaky =
        new RingStore() {
          @Override
          public java.util.Optional<byte[]> read(String name) {
            return memory.read(name);
          }

          @Override
          public void write(String name, byte[] contents) {
            if (failing.get()) {
              throw new KeysException(KeysException.Code.STORE_FAILED, "disk full");
            }
            memory.write(name, contents);
          }

          @Override
          public List<String> names() {
            return memory.names();
          }
        };
    MasterKey master = TestMasterKeys.random();
    KeyRing flakyRing = new StoredKeyRings(master, flaky, CLOCK).ring("payments");
    byte[] stored = memory.read("payments").orElseThrow();
    failing.set(true);

    assertDecryptFails(flakyRing::rotate, KeysException.Code.STORE_FAILED);

    assertThat(flakyRing.primaryVersion()).isEqualTo(1);
    assertThat(flakyRing.versions()).hasSize(1);
    assertThat(memory.read("payments").orElseThrow()).isEqualTo(stored);
    assertThat(flakyRing.versionOf(flakyRing.encrypt(SECRET, AAD))).isEqualTo(1);
  }

  private static void assertDecryptFails(ThrowingCallable call, KeysException.Code code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
