package dev.bulwark.sdk.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.sdk.workload.WorkloadIdentityException.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttestationTest {
  @Test
  void aJoinTokenIsSentAsItIsAndNeverShown() throws Exception {
    Attestation attestation = Attestation.joinToken("s3cr3t-token");

    assertThat(attestation.toJson())
        .containsEntry("type", "join_token")
        .containsEntry("token", "s3cr3t-token");
    assertThat(attestation.toString()).isEqualTo("Attestation{join token}");
    assertThat(attestation.repeatable()).isFalse();
  }

  @Test
  void refusesABlankOrSpacedJoinToken() {
    assertThatThrownBy(() -> Attestation.joinToken(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Attestation.joinToken("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("a b");
  }

  @Test
  void aKubernetesTokenIsReadAfreshEveryTime(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "eyJ.first.sig\n");
    Attestation attestation = Attestation.kubernetes(file);

    assertThat(attestation.toJson())
        .containsEntry("type", "k8s_psat")
        .containsEntry("token", "eyJ.first.sig");
    Files.writeString(file, "eyJ.second.sig");
    assertThat(attestation.toJson()).containsEntry("token", "eyJ.second.sig");
    assertThat(attestation.toString()).contains(file.toString()).doesNotContain("eyJ");
    assertThat(attestation.repeatable()).isTrue();
  }

  @Test
  void aMissingOrEmptyTokenFileIsReportedWithoutItsContent(@TempDir Path dir) throws Exception {
    Attestation missing = Attestation.kubernetes(dir.resolve("absent"));
    assertThatThrownBy(missing::toJson)
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Code.ATTESTATION_UNAVAILABLE);
              assertThat(e.getMessage()).contains("cannot be read");
            });

    Attestation empty = Attestation.kubernetes(Files.writeString(dir.resolve("empty"), "\n"));
    assertThatThrownBy(empty::toJson)
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class, e -> assertThat(e.getMessage()).contains("is empty"));

    Attestation huge =
        Attestation.kubernetes(Files.writeString(dir.resolve("huge"), "x".repeat(70_000)));
    assertThatThrownBy(huge::toJson)
        .isInstanceOfSatisfying(
            WorkloadIdentityException.class,
            e -> assertThat(e.getMessage()).contains("larger than").doesNotContain("xxxx"));
  }
}
