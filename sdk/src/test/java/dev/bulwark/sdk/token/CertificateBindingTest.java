package dev.bulwark.sdk.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CertificateBindingTest {
  private static final String THUMBPRINT =
      Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);

  @Test
  void readsNoBindingWhenCnfIsAbsent() {
    assertThat(CertificateBinding.fromConfirmation(Optional.empty())).isEmpty();
  }

  @Test
  void readsTheX5tS256Thumbprint() {
    assertThat(CertificateBinding.fromConfirmation(Optional.of(Map.of("x5t#S256", THUMBPRINT))))
        .contains(THUMBPRINT);
  }

  @Test
  void refusesCnfThatIsNotAnObjectWithX5tS256() {
    assertThatThrownBy(() -> CertificateBinding.fromConfirmation(Optional.of("x5t")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CertificateBinding.fromConfirmation(Optional.of(Map.of("jkt", THUMBPRINT))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesThumbprintThatIsNotAnUnpaddedSha256() {
    String tooShort = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[20]);
    String padded = Base64.getUrlEncoder().encodeToString(new byte[32]);

    assertThatThrownBy(
            () -> CertificateBinding.fromConfirmation(Optional.of(Map.of("x5t#S256", tooShort))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CertificateBinding.fromConfirmation(Optional.of(Map.of("x5t#S256", padded))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CertificateBinding.fromConfirmation(Optional.of(Map.of("x5t#S256", "*not*b64"))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
