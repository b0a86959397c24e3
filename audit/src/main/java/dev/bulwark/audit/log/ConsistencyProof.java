package dev.bulwark.audit.log;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * That the tree of {@code oldSize} leaves is a prefix of the tree of {@code newSize} leaves:
 * nothing before {@code oldSize} was changed, removed or reordered (RFC 6962 section 2.1.2).
 */
public record ConsistencyProof(long oldSize, long newSize, List<TreeHash> path) {
  public ConsistencyProof {
    path = List.copyOf(path);
    if (oldSize < 1 || oldSize > newSize) {
      throw new IllegalArgumentException(
          "oldSize " + oldSize + " (expected: 1 to newSize = " + newSize + ")");
    }
  }

  /** Whether the proof links {@code oldRoot} to {@code newRoot} (RFC 9162 section 2.1.4.2). */
  public boolean verify(TreeHash oldRoot, TreeHash newRoot) {
    requireNonNull(oldRoot, "oldRoot");
    requireNonNull(newRoot, "newRoot");
    if (oldSize == newSize) {
      return path.isEmpty() && oldRoot.equals(newRoot);
    }
    List<TreeHash> proof = new ArrayList<>(path);
    if (Long.bitCount(oldSize) == 1) {
      proof.addFirst(oldRoot);
    }
    if (proof.isEmpty()) {
      return false;
    }
    long fn = oldSize - 1;
    long sn = newSize - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = proof.getFirst().unsafeBytes();
    byte[] sr = fr;
    for (TreeHash c : proof.subList(1, proof.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = Sha256.node(c.unsafeBytes(), fr);
        sr = Sha256.node(c.unsafeBytes(), sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = Sha256.node(sr, c.unsafeBytes());
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && TreeHash.wrap(fr).equals(oldRoot) && TreeHash.wrap(sr).equals(newRoot);
  }

  /** {@code {"oldSize":..,"newSize":..,"path":["hex",...]}}. */
  public String toJson() {
    StringBuilder json =
        new StringBuilder()
            .append("{\"oldSize\":")
            .append(oldSize)
            .append(",\"newSize\":")
            .append(newSize)
            .append(",\"path\":[");
    for (int i = 0; i < path.size(); i++) {
      json.append(i == 0 ? "\"" : ",\"").append(path.get(i).hex()).append('"');
    }
    return json.append("]}").toString();
  }
}
