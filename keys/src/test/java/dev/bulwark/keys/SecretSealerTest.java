package dev.bulwark.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretSealerTest {
  private static final String CONTEXT = "identity/signing-key/k1";
  private static final byte[] SECRET =
      "client-secret-9f8e7d6c5b4a".getBytes(StandardCharsets.UTF_8);

  private final SecretSealer sealer = TestMasterKeys.random().sealer();

  @Test
  void opensWhatItSealed() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThat(sealer.open(sealed, CONTEXT)).isEqualTo(SECRET);
  }

  @Test
  void opensAnEmptySecret() {
    byte[] sealed = sealer.seal(new byte[0], CONTEXT);

    assertThat(sealer.open(sealed, CONTEXT)).isEmpty();
  }

  @Test
  void refusesToOpenUnderAnotherContext() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(sealed, "identity/signing-key/k2"))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void refusesToOpenAValueWithAnyByteFlipped() {
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
  void refusesToOpenATruncatedValue() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);
    byte[] truncated = Arrays.copyOf(sealed, sealed.length - 1);

    assertThatThrownBy(() -> sealer.open(truncated, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @Test
  void refusesToOpenAValueSealedUnderAnotherMasterKey() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);
    SecretSealer other = TestMasterKeys.random().sealer();

    assertThatThrownBy(() -> other.open(sealed, CONTEXT))
        .isInstanceOfSatisfying(
            KeysException.class,
            e -> assertThat(e.code()).isEqualTo(KeysException.Code.UNSEAL_FAILED));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n"})
  void refusesToSealUnderABlankContext(String blank) {
    assertThatThrownBy(() -> sealer.seal(SECRET, blank))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n"})
  void refusesToOpenUnderABlankContext(String blank) {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(sealed, blank))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sealsTheSamePlaintextDifferentlyEachTime() {
    byte[] first = sealer.seal(SECRET, CONTEXT);
    byte[] second = sealer.seal(SECRET, CONTEXT);

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void sealedValueDoesNotContainThePlaintext() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThat(indexOf(sealed, SECRET)).isEqualTo(-1);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1))
        .doesNotContain("client-secret")
        .doesNotContain(CONTEXT);
  }

  @Test
  void failureMessageDoesNotRevealThePlaintext() {
    byte[] sealed = sealer.seal(SECRET, CONTEXT);

    assertThatThrownBy(() -> sealer.open(sealed, "elsewhere"))
        .hasMessageNotContaining(new String(SECRET, StandardCharsets.UTF_8));
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
