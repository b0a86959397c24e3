package dev.bulwark.audit.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree against a reference written straight from RFC 6962 section 2.1's recursive definitions
 * (MTH, PATH, SUBPROOF over lists), for every size up to 70, every leaf and every older size.
 */
class MerkleTreeTest {
  private static final int MAX = 70;

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] refLeaf(byte[] data) {
    return sha256(new byte[] {0}, data);
  }

  private static byte[] refNode(byte[] left, byte[] right) {
    return sha256(new byte[] {1}, left, right);
  }

  private static int k(int n) {
    int k = 1;
    while (k * 2 < n) {
      k *= 2;
    }
    return k;
  }

  private static byte[] mth(List<byte[]> d) {
    if (d.isEmpty()) {
      return sha256();
    }
    if (d.size() == 1) {
      return refLeaf(d.get(0));
    }
    int k = k(d.size());
    return refNode(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  private static List<byte[]> path(int m, List<byte[]> d) {
    List<byte[]> out = new ArrayList<>();
    if (d.size() <= 1) {
      return out;
    }
    int k = k(d.size());
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, d.size())));
    } else {
      out.addAll(path(m - k, d.subList(k, d.size())));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
    List<byte[]> out = new ArrayList<>();
    int n = d.size();
    if (m == n) {
      if (!b) {
        out.add(mth(d));
      }
      return out;
    }
    int k = k(n);
    if (m <= k) {
      out.addAll(subproof(m, d.subList(0, k), b));
      out.add(mth(d.subList(k, n)));
    } else {
      out.addAll(subproof(m - k, d.subList(k, n), false));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  private static List<byte[]> data(int n) {
    List<byte[]> data = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      data.add(("leaf " + i).getBytes(StandardCharsets.UTF_8));
    }
    return data;
  }

  private static List<String> hex(List<?> hashes) {
    return hashes.stream()
        .map(h -> h instanceof TreeHash t ? t.hex() : HexFormat.of().formatHex((byte[]) h))
        .toList();
  }

  private static MerkleTree tree(List<byte[]> data) {
    MerkleTree tree = new MerkleTree();
    data.forEach(d -> tree.append(MerkleTree.leafHash(d)));
    return tree;
  }

  @Test
  void rootsMatchTheRecursiveDefinitionForEveryPastSize() {
    List<byte[]> data = data(MAX);
    MerkleTree tree = tree(data);

    for (int n = 0; n <= MAX; n++) {
      assertThat(tree.root(n).bytes()).as("size %d", n).isEqualTo(mth(data.subList(0, n)));
    }
  }

  @Test
  void auditPathsMatchTheReferenceAndVerifyForEveryLeafAndSize() {
    List<byte[]> data = data(MAX);
    MerkleTree tree = tree(data);

    for (int n = 1; n <= MAX; n++) {
      TreeHash root = tree.root(n);
      for (int m = 0; m < n; m++) {
        InclusionProof proof = tree.inclusionProof(m, n);
        assertThat(hex(proof.path()))
            .as("leaf %d of %d", m, n)
            .isEqualTo(hex(path(m, data.subList(0, n))));
        assertThat(proof.verify(data.get(m), root)).as("leaf %d of %d", m, n).isTrue();
      }
    }
  }

  @Test
  void consistencyProofsMatchTheReferenceAndVerifyForEveryOlderSize() {
    List<byte[]> data = data(MAX);
    MerkleTree tree = tree(data);

    for (int n = 1; n <= MAX; n++) {
      for (int m = 1; m <= n; m++) {
        ConsistencyProof proof = tree.consistencyProof(m, n);
        assertThat(hex(proof.path()))
            .as("%d to %d", m, n)
            .isEqualTo(hex(subproof(m, data.subList(0, n), true)));
        assertThat(proof.verify(tree.root(m), tree.root(n))).as("%d to %d", m, n).isTrue();
      }
    }
  }

  @Test
  void matchesValuesComputedByHand() {
    byte[] a = "a".getBytes(StandardCharsets.UTF_8);
    byte[] b = "b".getBytes(StandardCharsets.UTF_8);
    byte[] c = "c".getBytes(StandardCharsets.UTF_8);
    MerkleTree tree = tree(List.of(a, b, c));

    byte[] expected = refNode(refNode(refLeaf(a), refLeaf(b)), refLeaf(c));

    assertThat(tree.root().bytes()).isEqualTo(expected);
    assertThat(hex(tree.inclusionProof(2, 3).path()))
        .containsExactly(HexFormat.of().formatHex(refNode(refLeaf(a), refLeaf(b))));
    // The empty tree and the hash of an empty leaf, as published with RFC 6962's test data.
    assertThat(new MerkleTree().root().hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(MerkleTree.leafHash(new byte[0]).hex())
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  }

  @Test
  void rejectsInclusionProofsForAnotherLeafRootOrPosition() {
    List<byte[]> data = data(13);
    MerkleTree tree = tree(data);
    InclusionProof proof = tree.inclusionProof(5, 13);

    assertThat(proof.verify(data.get(6), tree.root())).isFalse();
    assertThat(proof.verify(data.get(5), tree.root(12))).isFalse();
    InclusionProof moved = new InclusionProof(4, 13, proof.leafHash(), proof.path());
    assertThat(moved.verify(tree.root())).isFalse();
    List<TreeHash> altered = new ArrayList<>(proof.path());
    altered.set(1, altered.get(0));
    assertThat(new InclusionProof(5, 13, proof.leafHash(), altered).verify(tree.root())).isFalse();
    assertThat(
            new InclusionProof(5, 13, proof.leafHash(), proof.path().subList(0, 2))
                .verify(tree.root()))
        .isFalse();
  }

  @Test
  void rejectsConsistencyProofsBetweenUnrelatedTrees() {
    MerkleTree tree = tree(data(20));
    List<byte[]> other = data(20);
    other.set(3, "forged".getBytes(StandardCharsets.UTF_8));
    MerkleTree forged = tree(other);
    ConsistencyProof proof = tree.consistencyProof(7, 20);

    assertThat(proof.verify(forged.root(7), tree.root(20))).isFalse();
    assertThat(proof.verify(tree.root(7), forged.root(20))).isFalse();
    assertThat(new ConsistencyProof(6, 20, proof.path()).verify(tree.root(6), tree.root(20)))
        .isFalse();
  }

  @Test
  void refusesSizesBeyondTheTree() {
    MerkleTree tree = tree(data(5));

    assertThatThrownBy(() -> tree.root(6)).hasMessageContaining("treeSize 6 (expected: 0 to 5)");
    assertThatThrownBy(() -> tree.inclusionProof(5, 5))
        .isInstanceOf(AuditException.class)
        .hasMessageContaining("sequence 5");
    assertThatThrownBy(() -> tree.consistencyProof(0, 5)).hasMessageContaining("oldSize 0");
  }
}
