package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class KmsMasterKeyTest {
  private static final byte[] SECRET = "kms-held".getBytes(StandardCharsets.UTF_8);

  @Test
  void ringsUnderAKmsKeyCallTheKmsOnlyToOpenOrChangeTheRing() {
    TestKms kms = new TestKms();
    MasterKey master = MasterKey.fromKms(kms, TestKms.PREFIX + "k1");
    KeyRing ring = KeyRings.inMemory(master, Clock.systemUTC()).ring("payments");
    int afterCreate = kms.calls.get();

    for (int i = 0; i < 10; i++) {
      ring.decrypt(ring.encrypt(SECRET, new byte[0]), new byte[0]);
    }

    assertThat(afterCreate).isEqualTo(1);
    assertThat(kms.calls.get()).isEqualTo(afterCreate);
    ring.rotate();
    assertThat(kms.calls.get()).isEqualTo(afterCreate + 1);
  }

  @Test
  void anotherKmsKeyDoesNotOpenTheRing() {
    TestKms kms = new TestKms();
    RingStore store = new MemoryRingStore();
    new StoredKeyRings(MasterKey.fromKms(kms, TestKms.PREFIX + "k1"), store, Clock.systemUTC())
        .ring("payments");

    KeyRings other =
        new StoredKeyRings(MasterKey.fromKms(kms, TestKms.PREFIX + "k2"), store, Clock.systemUTC());

    assertThatThrownBy(() -> other.ring("payments"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID));
  }

  @Test
  void refusesAKeyUriTheClientDoesNotServe() {
    assertThatThrownBy(() -> MasterKey.fromKms(new TestKms(), "aws-kms://arn:aws:kms:eu:1:key/x"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeysException.Code.MASTER_KEY_INVALID);
              assertThat(e.getMessage()).contains("aws-kms://");
            });
  }

  @Test
  void namesItsOriginWithoutKeyMaterial() {
    MasterKey master = MasterKey.fromKms(new TestKms(), TestKms.PREFIX + "k1");

    assertThat(master.origin()).isEqualTo("kms " + TestKms.PREFIX + "k1");
    assertThat(master.toString()).contains("***");
  }

  @Test
  void itsOwnSealerWorks() {
    SecretSealer sealer = MasterKey.fromKms(new TestKms(), TestKms.PREFIX + "k1").sealer();

    assertThat(sealer.open(sealer.seal(SECRET, "ctx"), "ctx")).isEqualTo(SECRET);
  }
}
