package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignedTreeHeadTest {
  private static final CheckpointSigner SIGNER = CheckpointSigner.generate();
  private static final TreeHash ROOT = MerkleTree.leafHash(new byte[] {1});
  private static final TreeHash CHAIN = MerkleTree.leafHash(new byte[] {2});
  private static final Instant TIME = Instant.parse("2026-11-23T10:00:00.123Z");

  @Test
  void roundTripsThroughJsonAndStillVerifies() {
    SignedTreeHead head = SIGNER.sign(42, ROOT, CHAIN, TIME);

    SignedTreeHead read = SignedTreeHead.fromJson(head.toJson());

    assertThat(read).isEqualTo(head);
    assertThat(read.verify(SIGNER.publicKey())).isTrue();
    assertThat(read.keyId()).isEqualTo(SIGNER.keyId()).hasSize(16);
  }

  @Test
  void rejectsAHeadWhoseSizeRootChainOrTimeWasChanged() {
    SignedTreeHead head = SIGNER.sign(42, ROOT, CHAIN, TIME);

    assertThat(copy(head, 43, ROOT, CHAIN, TIME).verify(SIGNER.publicKey())).isFalse();
    assertThat(copy(head, 42, CHAIN, CHAIN, TIME).verify(SIGNER.publicKey())).isFalse();
    assertThat(copy(head, 42, ROOT, ROOT, TIME).verify(SIGNER.publicKey())).isFalse();
    assertThat(copy(head, 42, ROOT, CHAIN, TIME.plusMillis(1)).verify(SIGNER.publicKey()))
        .isFalse();
    assertThat(head.verify(CheckpointSigner.generate().publicKey())).isFalse();
  }

  @Test
  void rejectsMalformedJsonNamingTheField() {
    String json = SIGNER.sign(1, ROOT, CHAIN, TIME).toJson();

    assertThatThrownBy(() -> SignedTreeHead.fromJson(json.replace("\"treeSize\":1,", "")))
        .hasMessageContaining("missing 'treeSize'");
    assertThatThrownBy(() -> SignedTreeHead.fromJson(json.replace(ROOT.hex(), "abc")))
        .hasMessageContaining("hex digits");
    assertThatThrownBy(() -> SignedTreeHead.fromJson(json + "{}"))
        .hasMessageContaining("trailing content");
    assertThatThrownBy(() -> SignedTreeHead.fromJson("[1]")).hasMessageContaining("JSON object");
  }

  @Test
  void signerKeepsItsPrivateKeyOutOfToString() {
    assertThat(SIGNER.toString()).contains(SIGNER.keyId()).contains("***");
  }

  @Test
  void proofsHaveAJsonForm() {
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < 5; i++) {
      tree.append(MerkleTree.leafHash(new byte[] {(byte) i}));
    }

    assertThat(tree.inclusionProof(2, 5).toJson())
        .startsWith("{\"sequence\":2,\"treeSize\":5,\"leafHash\":\"")
        .contains("\"path\":[\"");
    assertThat(tree.consistencyProof(3, 5).toJson()).startsWith("{\"oldSize\":3,\"newSize\":5,");
  }

  @Test
  void queryAndSettingsRejectBadValues() {
    assertThatThrownBy(() -> AuditQuery.builder().limit(0))
        .hasMessageContaining("limit: 0 (expected: 1 to 10000)");
    assertThatThrownBy(() -> AuditQuery.builder().from(TIME).to(TIME).build())
        .hasMessageContaining("expected: from < to");
    assertThatThrownBy(() -> AuditLog.Settings.builder().checkpointEveryRecords(0))
        .hasMessageContaining("checkpointEveryRecords: 0");
    assertThatThrownBy(() -> AuditLog.Settings.builder().segmentBytes(10))
        .hasMessageContaining("segmentBytes: 10");
  }

  private static SignedTreeHead copy(
      SignedTreeHead head, long size, TreeHash root, TreeHash chain, Instant time) {
    return new SignedTreeHead(size, root, chain, time, head.keyId(), head.signature());
  }
}
