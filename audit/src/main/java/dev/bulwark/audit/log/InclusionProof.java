package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * That the record at {@code sequence} is leaf {@code sequence} of the tree of {@code treeSize}
 * leaves: its leaf hash and audit path (RFC 6962 section 2.1.1), checked with {@link
 * #verify(TreeHash)} against a root from a signed tree head.
 */
public record InclusionProof(long sequence, long treeSize, TreeHash leafHash, List<TreeHash> path) {
  public InclusionProof {
    requireNonNull(leafHash, "leafHash");
    path = List.copyOf(path);
    if (sequence < 0 || sequence >= treeSize) {
      throw new IllegalArgumentException(
          "sequence " + sequence + " (expected: 0 to treeSize - 1 = " + (treeSize - 1) + ")");
    }
  }

  /**
   * Whether the path leads from the leaf hash to {@code root} (the algorithm of RFC 9162 section
   * 2.1.3.2).
   */
  public boolean verify(TreeHash root) {
    requireNonNull(root, "root");
    long fn = sequence;
    long sn = treeSize - 1;
    byte[] r = leafHash.unsafeBytes();
    for (TreeHash p : path) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = Sha256.node(p.unsafeBytes(), r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = Sha256.node(r, p.unsafeBytes());
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && TreeHash.wrap(r).equals(root);
  }

  /** Whether this proves that {@code eventBytes} (the stored encoding) is in the tree. */
  public boolean verify(byte[] eventBytes, TreeHash root) {
    return MerkleTree.leafHash(eventBytes).equals(leafHash) && verify(root);
  }

  /** {@code {"sequence":..,"treeSize":..,"leafHash":"hex","path":["hex",...]}}. */
  public String toJson() {
    StringBuilder json =
        new StringBuilder()
            .append("{\"sequence\":")
            .append(sequence)
            .append(",\"treeSize\":")
            .append(treeSize)
            .append(",\"leafHash\":\"")
            .append(leafHash.hex())
            .append("\",\"path\":[");
    for (int i = 0; i < path.size(); i++) {
      json.append(i == 0 ? "\"" : ",\"").append(path.get(i).hex()).append('"');
    }
    return json.append("]}").toString();
  }
}
